# What the benchmarks measure clasp against, beside OpenSSL (always there), each optional:
# GnuTLS (pkg-config gnutls) and BoringSSL (Debian's android-libboringssl-dev, whose
# symbols collide with OpenSSL's, so it gets a process of its own: bench-peer-boringssl).
# And whether this clasp has the verified-chain cache, to show it on and off.
option(CLASP_BENCH_PEERS "Measure GnuTLS and BoringSSL too, where they are installed" ON)
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND AND CLASP_BENCH_PEERS)
  pkg_check_modules(GNUTLS QUIET IMPORTED_TARGET gnutls)
endif()
if(GNUTLS_FOUND AND CLASP_BENCH_PEERS)
  target_sources(clasp_bench_impls PRIVATE hs_gnutls.c)
  target_link_libraries(clasp_bench_impls PUBLIC PkgConfig::GNUTLS)
  target_compile_definitions(clasp_bench_impls PUBLIC CLASP_BENCH_GNUTLS)
endif()

find_path(BORINGSSL_INCLUDE_DIR openssl/base.h PATHS /usr/include/android NO_DEFAULT_PATH)
set(_boring_lib /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android)
find_library(BORINGSSL_SSL ssl PATHS ${_boring_lib} NO_DEFAULT_PATH)
find_library(BORINGSSL_CRYPTO crypto PATHS ${_boring_lib} NO_DEFAULT_PATH)
if(BORINGSSL_INCLUDE_DIR AND BORINGSSL_SSL AND BORINGSSL_CRYPTO AND CLASP_BENCH_PEERS)
  execute_process(COMMAND dpkg-query -W -f=\${Version} android-libboringssl
                  OUTPUT_VARIABLE _boring_version ERROR_QUIET)
  if(NOT _boring_version)
    set(_boring_version "(Android)")
  endif()
  add_executable(bench-peer-boringssl peer_boringssl.c bench_run.c hs_ossl.c)
  target_include_directories(bench-peer-boringssl SYSTEM BEFORE PRIVATE ${BORINGSSL_INCLUDE_DIR})
  target_link_libraries(bench-peer-boringssl PRIVATE ${BORINGSSL_SSL} ${BORINGSSL_CRYPTO})
  target_sources(clasp-bench-handshake PRIVATE hs_boringssl.c)
  target_compile_definitions(clasp-bench-handshake PRIVATE
    CLASP_BENCH_BORINGSSL_RUNNER="$<TARGET_FILE:bench-peer-boringssl>")
  foreach(t clasp-bench-handshake bench-peer-boringssl)
    target_compile_definitions(${t} PRIVATE BENCH_BORINGSSL_VERSION="${_boring_version}")
  endforeach()
  add_dependencies(clasp-bench-handshake bench-peer-boringssl)
endif()

# A declaration in the header is enough (compiled, not linked: the library is not built
# yet); checked again at every configure, which a change to config.h triggers.
include(CheckSymbolExists)
unset(CLASP_HAVE_VERIFY_CACHE CACHE)
set(CMAKE_REQUIRED_INCLUDES ${PROJECT_SOURCE_DIR}/include)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
check_symbol_exists(clasp_config_set_verify_cache clasp/config.h CLASP_HAVE_VERIFY_CACHE)
unset(CMAKE_TRY_COMPILE_TARGET_TYPE)
unset(CMAKE_REQUIRED_INCLUDES)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/include/clasp/config.h)
if(CLASP_HAVE_VERIFY_CACHE)
  target_compile_definitions(clasp_bench_impls PRIVATE CLASP_BENCH_HAVE_VERIFY_CACHE)
endif()
