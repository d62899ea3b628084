# CMake generated Testfile for 
# Source directory: /work/main/tests/crypto
# Build directory: /work/main/build/tests/crypto
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/crypto/crypto_test[1]_include.cmake")
add_test([=[crypto_test]=] "/work/main/build/tests/crypto/crypto_test")
set_tests_properties([=[crypto_test]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/crypto/CMakeLists.txt;10;add_test;/work/main/tests/crypto/CMakeLists.txt;0;")
