# tests/fuzz/tests.cmake - libFuzzer targets, built only with clang and -DPOT_FUZZ=ON
# (scripts/fuzz.sh configures build-fuzz/ that way and runs them). potcore gets coverage
# instrumentation so the fuzzer can see inside the library. One fuzz-<name>.c per target; seed
# inputs live in corpus/<target>/.
if(POT_FUZZ AND CMAKE_C_COMPILER_ID STREQUAL "Clang")
  target_compile_options(potcore PRIVATE -fsanitize=fuzzer-no-link)
  foreach(target fuzz-template fuzz-yaml fuzz-json fuzz-ini fuzz-manifest fuzz-deflate fuzz-gotpl
                 fuzz-residue fuzz-pack-manifest)
    add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.c)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${target} PRIVATE potcore)
  endforeach()
endif()
