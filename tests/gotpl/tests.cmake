# tests/gotpl/tests.cmake - the Go-template (Helm) conformance corpus (cases/*.case, expectations
# made by regen.py with the real helm) run by run-gotpl-cases against installer/gotpl.
add_executable(run-gotpl-cases ${CMAKE_CURRENT_LIST_DIR}/run-gotpl-cases.c)
target_link_libraries(run-gotpl-cases PRIVATE potcore)
add_test(NAME gotpl-corpus COMMAND run-gotpl-cases ${CMAKE_CURRENT_LIST_DIR}/cases)
set_tests_properties(gotpl-corpus PROPERTIES
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
