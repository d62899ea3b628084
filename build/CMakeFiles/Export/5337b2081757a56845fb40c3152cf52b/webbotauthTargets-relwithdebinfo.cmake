#----------------------------------------------------------------
# Generated CMake target import file for configuration "RelWithDebInfo".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "wba::webbotauth" for configuration "RelWithDebInfo"
set_property(TARGET wba::webbotauth APPEND PROPERTY IMPORTED_CONFIGURATIONS RELWITHDEBINFO)
set_target_properties(wba::webbotauth PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_RELWITHDEBINFO "CXX"
  IMPORTED_LOCATION_RELWITHDEBINFO "${_IMPORT_PREFIX}/lib/libwebbotauth.a"
  )

list(APPEND _cmake_import_check_targets wba::webbotauth )
list(APPEND _cmake_import_check_files_for_wba::webbotauth "${_IMPORT_PREFIX}/lib/libwebbotauth.a" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
