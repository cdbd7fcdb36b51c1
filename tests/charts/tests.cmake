# tests/charts/tests.cmake - the base-component charts (charts/*/, charts/components.yaml.gotmpl):
# helm lint --strict and helm template in every mode, image lists, no password in NOTES or labels.
# Needs helm 3: HELM in the environment when cmake configures, default /opt/pot-tools/bin/helm.
if(DEFINED ENV{HELM})
  set(POT_CHARTS_HELM $ENV{HELM})
else()
  set(POT_CHARTS_HELM /opt/pot-tools/bin/helm)
endif()
add_test(NAME charts-check COMMAND ${CMAKE_CURRENT_LIST_DIR}/check-charts.sh)
set_tests_properties(charts-check PROPERTIES ENVIRONMENT "HELM=${POT_CHARTS_HELM}")
