# The ABI surface of libselfservice.so (cmake -P). Checks that the library
#   - exports only selfservice_* symbols (no C++, Boost, spdlog or SQLite symbol leaks out),
#   - exports exactly the functions capi/selfservice.h declares, as functions,
#   - still exports every function of every release (functions are only ever added),
#   - carries the SONAME libselfservice.so.<major>.
# Arguments: -DLIBRARY=<libselfservice.so> -DHEADER=<selfservice.h> -DSONAME=<expected SONAME>
#            -DNM=<nm> -DREADELF=<readelf>

cmake_minimum_required(VERSION 3.25)

# The functions each release added.
set(functions_of_0_1_0 selfservice_version selfservice_abi_version selfservice_portal_open
    selfservice_portal_close selfservice_invoke selfservice_free)
set(functions_of_0_2_0 selfservice_invoke_with_progress)
set(functions_of_0_3_0 selfservice_subscribe selfservice_unsubscribe selfservice_upload_chunk
    selfservice_upload_chunk_checked)
set(functions_of_0_4_0 selfservice_methods)
set(functions_of_0_5_0 selfservice_health)
set(functions_of_0_6_0 selfservice_download_open selfservice_download_read selfservice_download_close)

set(failures "")
macro(fail message)
  string(APPEND failures "  ${message}\n")
endmacro()

# What the header declares: every "SELFSERVICE_API <type> selfservice_<name>(".
file(READ ${HEADER} header)
string(REGEX MATCHALL "SELFSERVICE_API[^;(]*[ *]selfservice_[a-z0-9_]+[ ]*\\(" declarations "${header}")
set(declared "")
foreach(declaration ${declarations})
  string(REGEX REPLACE ".*[ *](selfservice_[a-z0-9_]+)[ ]*\\($" "\\1" name "${declaration}")
  list(APPEND declared ${name})
endforeach()
list(SORT declared)
foreach(release 0_1_0 0_2_0 0_3_0 0_4_0 0_5_0 0_6_0)
  foreach(name ${functions_of_${release}})
    if(NOT name IN_LIST declared)
      string(REPLACE "_" "." version ${release})
      fail("${name} of ${version} is no longer declared in selfservice.h")
    endif()
  endforeach()
endforeach()

# What the library exports: "<address> <type> <name>[@version]" per defined dynamic symbol.
execute_process(COMMAND ${NM} -D --defined-only ${LIBRARY}
  OUTPUT_VARIABLE nm_output RESULT_VARIABLE nm_result ERROR_VARIABLE nm_error)
if(NOT nm_result EQUAL 0)
  message(FATAL_ERROR "${NM} -D --defined-only ${LIBRARY} failed: ${nm_error}")
endif()
string(REPLACE "\n" ";" nm_lines "${nm_output}")
set(exported "")
foreach(line ${nm_lines})
  if(line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) ([^@ ]+)")
    set(type ${CMAKE_MATCH_1})
    set(name ${CMAKE_MATCH_2})
    if(NOT name MATCHES "^selfservice_")
      fail("exports a foreign symbol: ${line}")
    elseif(NOT type STREQUAL "T")
      fail("exports ${name} as '${type}', not as a function ('T')")
    endif()
    list(APPEND exported ${name})
  endif()
endforeach()
list(SORT exported)
if(NOT exported STREQUAL declared)
  fail("exports [${exported}] but selfservice.h declares [${declared}]")
endif()

execute_process(COMMAND ${READELF} -d ${LIBRARY} OUTPUT_VARIABLE dynamic RESULT_VARIABLE readelf_result)
if(NOT readelf_result EQUAL 0 OR NOT dynamic MATCHES "\\(SONAME\\)[^\n]*\\[([^]]*)\\]")
  fail("no SONAME in ${LIBRARY}")
elseif(NOT CMAKE_MATCH_1 STREQUAL SONAME)
  fail("SONAME is ${CMAKE_MATCH_1}, expected ${SONAME}")
endif()

if(failures)
  message(FATAL_ERROR "${LIBRARY}:\n${failures}")
endif()
list(LENGTH exported count)
message(STATUS "${LIBRARY}: ${count} functions exported, all declared in selfservice.h; SONAME ${SONAME}")
