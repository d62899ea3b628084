# Empty dependencies file for webbotauth.
# This may be replaced when dependencies are built.
