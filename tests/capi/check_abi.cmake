# The C ABI against its recorded baseline (cmake -P), with libabigail's abidiff:
#   - a function removed or changed (an incompatible change) fails, unless SELFSERVICE_ABI_VERSION
#     was bumped and a baseline for the new version recorded;
#   - functions added (a compatible change) pass, and the report says to record a new baseline.
# Baselines are capi/abi/selfservice-abi-<ABI version>.xml, made from a RelWithDebInfo build:
#   abidw --headers-dir capi --drop-private-types --no-corpus-path --exported-interfaces-only \
#         --out-file capi/abi/selfservice-abi-<N>.xml build/release/capi/libselfservice.so
# Arguments: -DABIDIFF=<abidiff> -DBASELINE_DIR=<capi/abi> -DABI_VERSION=<N> -DLIBRARY=<.so>
#            -DHEADERS=<capi>

cmake_minimum_required(VERSION 3.25)

set(baseline ${BASELINE_DIR}/selfservice-abi-${ABI_VERSION}.xml)
if(NOT EXISTS ${baseline})
  message(FATAL_ERROR "no ABI baseline for ABI version ${ABI_VERSION}: record ${baseline} (see the top of "
                      "tests/capi/check_abi.cmake)")
endif()

execute_process(
  COMMAND ${ABIDIFF} --exported-interfaces-only --drop-private-types --headers-dir2 ${HEADERS} ${baseline}
          ${LIBRARY}
  RESULT_VARIABLE status OUTPUT_VARIABLE report ERROR_VARIABLE errors)

# abidiff's status is a bit mask: 1 error, 2 usage error, 4 ABI change, 8 incompatible change.
if(status EQUAL 0)
  message(STATUS "${LIBRARY}: the ABI of version ${ABI_VERSION} as recorded")
  return()
endif()
math(EXPR tool_error "${status} & 3")
if(NOT tool_error EQUAL 0)
  message(FATAL_ERROR "abidiff failed (${status}): ${errors}${report}")
endif()
math(EXPR incompatible "${status} & 8")
string(REGEX MATCH "[1-9][0-9]* (Removed|Changed)" breaking "${report}")
if(NOT incompatible EQUAL 0 OR breaking)
  message(FATAL_ERROR "incompatible change of the C ABI: bump SELFSERVICE_ABI_VERSION in CMakeLists.txt and "
                      "record a baseline for it, or undo the change.\n${report}")
endif()
message(STATUS "compatible additions to the C ABI (record a new ${baseline}):\n${report}")
