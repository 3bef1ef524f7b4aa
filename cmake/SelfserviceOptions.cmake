# Compiler settings shared by every target of the project.

find_program(SELFSERVICE_CCACHE ccache)
if(SELFSERVICE_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${SELFSERVICE_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${SELFSERVICE_CCACHE})
endif()

add_library(selfservice_warnings INTERFACE)
target_compile_options(selfservice_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)

if(SELFSERVICE_SANITIZE)
  add_compile_options(-fsanitize=${SELFSERVICE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${SELFSERVICE_SANITIZE})
endif()

# SELFSERVICE_ASAN_PRELOAD: what an uninstrumented interpreter (python3, the JVM) must preload to
# load this build's instrumented libselfservice.so under AddressSanitizer: the ASan runtime, which
# must come first, and libstdc++, because ASan resolves the real __cxa_throw when it starts and an
# interpreter that does not link libstdc++ would fail ASan's CHECK "real___cxa_throw != 0" at the
# library's first C++ exception. Empty without ASan.
set(SELFSERVICE_ASAN_PRELOAD "")
if(SELFSERVICE_SANITIZE MATCHES "address")
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
    OUTPUT_VARIABLE asan_runtime OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.so
    OUTPUT_VARIABLE cxx_runtime OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  set(SELFSERVICE_ASAN_PRELOAD "${asan_runtime}:${cxx_runtime}")
endif()
