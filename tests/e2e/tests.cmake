# tests/e2e/tests.cmake - helper programs the e2e scripts drive (not tests by themselves).
add_executable(conn-probe ${CMAKE_CURRENT_LIST_DIR}/conn-probe.c)
target_link_libraries(conn-probe PRIVATE potcore)
set_target_properties(conn-probe PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
