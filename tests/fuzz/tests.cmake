# tests/fuzz/tests.cmake - libFuzzer targets, built only with clang and -DPOT_FUZZ=ON
# (scripts/fuzz.sh configures build-fuzz/ that way and runs them). potcore gets coverage
# instrumentation so the fuzzer can see inside the library.
if(POT_FUZZ AND CMAKE_C_COMPILER_ID STREQUAL "Clang")
  target_compile_options(potcore PRIVATE -fsanitize=fuzzer-no-link)
  add_executable(fuzz-template ${CMAKE_CURRENT_LIST_DIR}/fuzz-template.c)
  target_compile_options(fuzz-template PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-template PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-template PRIVATE potcore)
endif()
