file(REMOVE_RECURSE
  "CMakeFiles/webbotauth.dir/result.cc.o"
  "CMakeFiles/webbotauth.dir/result.cc.o.d"
  "libwebbotauth.a"
  "libwebbotauth.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/webbotauth.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
