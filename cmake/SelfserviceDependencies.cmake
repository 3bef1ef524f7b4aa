# Every dependency comes from a Debian 12 package (scripts/install-deps.sh); nothing is downloaded.
find_package(Boost 1.81...<1.82 CONFIG REQUIRED COMPONENTS json)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
# libargon2 ships a pkg-config file and no CMake package.
find_package(PkgConfig REQUIRED)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET GLOBAL libargon2)
