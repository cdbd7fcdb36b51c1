# tests/template/tests.cmake - the template conformance corpus (cases/*.case, expectations made by
# regen.py with Ansible) run by run-cases against pot's engine.
add_executable(run-cases ${CMAKE_CURRENT_LIST_DIR}/run-cases.c)
target_link_libraries(run-cases PRIVATE potcore)
add_test(NAME template-corpus COMMAND run-cases ${CMAKE_CURRENT_LIST_DIR}/cases)
set_tests_properties(template-corpus PROPERTIES
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

# The kit's TKE templates: pot == Ansible, valid JSON, complete for tke-installer's restore path.
add_test(NAME template-tke COMMAND ${CMAKE_CURRENT_LIST_DIR}/tke-templates.sh $<TARGET_FILE:pot>)

# `pot template` on the command line: variables, exit codes, messages.
add_test(NAME template-cli COMMAND ${CMAKE_CURRENT_LIST_DIR}/cli.sh $<TARGET_FILE:pot>)
