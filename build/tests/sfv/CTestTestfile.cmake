# CMake generated Testfile for 
# Source directory: /work/main/tests/sfv
# Build directory: /work/main/build/tests/sfv
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/sfv/sfv_test[1]_include.cmake")
