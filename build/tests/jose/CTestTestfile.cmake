# CMake generated Testfile for 
# Source directory: /work/main/tests/jose
# Build directory: /work/main/build/tests/jose
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/jose/jose_test[1]_include.cmake")
add_test([=[jose_test]=] "/work/main/build/tests/jose/jose_test")
set_tests_properties([=[jose_test]=] PROPERTIES  LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/jose/CMakeLists.txt;4;add_test;/work/main/tests/jose/CMakeLists.txt;0;")
