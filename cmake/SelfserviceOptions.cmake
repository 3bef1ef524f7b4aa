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
