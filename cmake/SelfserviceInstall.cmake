# Install rules and the package files: selfservice-config.cmake (+ version file) for
# find_package(selfservice), and selfservice.pc for pkg-config users of the C ABI.
include(CMakePackageConfigHelpers)

set(SELFSERVICE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/selfservice)

install(TARGETS selfservice selfservice_c
  EXPORT selfservice-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/selfservice DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/capi/selfservice.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Only the installed tree is a package: a build-tree export() would have to carry the
# build-only selfservice_warnings target that selfservice links through $<BUILD_INTERFACE>.
install(EXPORT selfservice-targets NAMESPACE selfservice:: DESTINATION ${SELFSERVICE_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/selfservice-config.cmake.in
  ${PROJECT_BINARY_DIR}/selfservice-config.cmake INSTALL_DESTINATION ${SELFSERVICE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/selfservice-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/selfservice-config.cmake ${PROJECT_BINARY_DIR}/selfservice-config-version.cmake
  DESTINATION ${SELFSERVICE_CMAKE_DIR})

# selfservice.pc finds the prefix from its own place (${pcfiledir}), so a tree installed with
# `cmake --install --prefix <anywhere>` or relocated later still answers the right paths.
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(SELFSERVICE_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(SELFSERVICE_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SELFSERVICE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH SELFSERVICE_PC_UP "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
  string(REGEX REPLACE "/$" "" SELFSERVICE_PC_UP "${SELFSERVICE_PC_UP}")
  set(SELFSERVICE_PC_PREFIX "\${pcfiledir}/${SELFSERVICE_PC_UP}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/selfservice.pc.in ${PROJECT_BINARY_DIR}/selfservice.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/selfservice.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
