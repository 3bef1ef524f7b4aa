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

install(EXPORT selfservice-targets NAMESPACE selfservice:: DESTINATION ${SELFSERVICE_CMAKE_DIR})
export(EXPORT selfservice-targets NAMESPACE selfservice::
  FILE ${PROJECT_BINARY_DIR}/selfservice-targets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/selfservice-config.cmake.in
  ${PROJECT_BINARY_DIR}/selfservice-config.cmake INSTALL_DESTINATION ${SELFSERVICE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/selfservice-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/selfservice-config.cmake ${PROJECT_BINARY_DIR}/selfservice-config-version.cmake
  DESTINATION ${SELFSERVICE_CMAKE_DIR})

configure_file(${PROJECT_SOURCE_DIR}/cmake/selfservice.pc.in ${PROJECT_BINARY_DIR}/selfservice.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/selfservice.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
