# Runs the JavaScript interop tests (cmake -P), in one of two modes:
#
#   -DMODE=install -DSOURCE_DIR=<tests/interop> -DNODE_DIR=<build dir>
#       Copies package.json + package-lock.json to NODE_DIR and runs `npm ci` there, but only when
#       NODE_DIR/node_modules is missing or either file changed since the last install. node_modules
#       never goes into the source tree.
#   -DMODE=run -DSOURCE_DIR=<tests/interop> -DNODE_DIR=<build dir> -DWBA=<wba> -DTESTVECTORS=<dir>
#       Runs run.js with the built wba and the packages installed in NODE_DIR.
#
# Missing node or npm is a failure, not a skip: scripts/install-deps.sh --test installs them.
cmake_minimum_required(VERSION 3.25)

foreach(var MODE SOURCE_DIR NODE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "interop.cmake: -D${var}=... is required")
  endif()
endforeach()

find_program(NODE_EXECUTABLE node)
if(NOT NODE_EXECUTABLE)
  message(FATAL_ERROR "interop: `node` not found on PATH. The interop tests need Node.js >= 18 and "
                      "npm; install them with scripts/install-deps.sh --test (or your package manager).")
endif()
execute_process(COMMAND ${NODE_EXECUTABLE} --version OUTPUT_VARIABLE node_version
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT node_version MATCHES "^v([0-9]+)\\." OR CMAKE_MATCH_1 LESS 18)
  message(FATAL_ERROR "interop: ${NODE_EXECUTABLE} is '${node_version}'; Node.js >= 18 is required "
                      "(WebCrypto Ed25519).")
endif()

if(MODE STREQUAL "install")
  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "interop: `npm` not found on PATH (node is ${NODE_EXECUTABLE}). Install npm, "
                        "e.g. with scripts/install-deps.sh --test.")
  endif()
  file(SHA256 ${SOURCE_DIR}/package.json manifest_hash)
  file(SHA256 ${SOURCE_DIR}/package-lock.json lock_hash)
  set(stamp_content "${manifest_hash} ${lock_hash}")
  set(stamp ${NODE_DIR}/.wba-interop-installed)
  if(EXISTS ${NODE_DIR}/node_modules AND EXISTS ${stamp})
    file(READ ${stamp} previous)
    if(previous STREQUAL stamp_content)
      message(STATUS "interop: node_modules in ${NODE_DIR} is up to date with package-lock.json")
      return()
    endif()
  endif()
  file(REMOVE_RECURSE ${NODE_DIR}/node_modules ${stamp})
  file(MAKE_DIRECTORY ${NODE_DIR})
  file(COPY ${SOURCE_DIR}/package.json ${SOURCE_DIR}/package-lock.json DESTINATION ${NODE_DIR})
  message(STATUS "interop: npm ci in ${NODE_DIR} (${NODE_EXECUTABLE} ${node_version})")
  execute_process(COMMAND ${NPM_EXECUTABLE} ci --no-audit --no-fund --ignore-scripts
                  WORKING_DIRECTORY ${NODE_DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "interop: `npm ci` failed (exit ${rc}) in ${NODE_DIR}; the npm registry must "
                        "be reachable for the first run.")
  endif()
  file(WRITE ${stamp} "${stamp_content}")
elseif(MODE STREQUAL "run")
  foreach(var WBA TESTVECTORS)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "interop.cmake: -D${var}=... is required in run mode")
    endif()
  endforeach()
  if(NOT EXISTS ${NODE_DIR}/node_modules)
    message(FATAL_ERROR "interop: ${NODE_DIR}/node_modules is missing; the interop.npm_ci test "
                        "(fixture setup) installs it")
  endif()
  execute_process(COMMAND ${NODE_EXECUTABLE} ${SOURCE_DIR}/run.js --wba ${WBA} --modules ${NODE_DIR}
                          --testvectors ${TESTVECTORS}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "interop: checks failed (exit ${rc}); see the FAIL lines above")
  endif()
else()
  message(FATAL_ERROR "interop.cmake: MODE must be install or run, not '${MODE}'")
endif()
