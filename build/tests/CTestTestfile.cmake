# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("sfv")
subdirs("http")
subdirs("crypto")
subdirs("jose")
subdirs("sig")
subdirs("directory")
subdirs("profile")
subdirs("cli")
subdirs("interop")
subdirs("conformance")
subdirs("consumer")
subdirs("daemon")
