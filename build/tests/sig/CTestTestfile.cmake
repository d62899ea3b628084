# CMake generated Testfile for 
# Source directory: /work/main/tests/sig
# Build directory: /work/main/build/tests/sig
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/sig/sig_test[1]_include.cmake")
