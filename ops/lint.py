"""Checks on chat-proxy's operations files that promtool does not make.

Usage: python3 ops/lint.py files ALERTS_YAML TESTS_YAML DASHBOARD_JSON EXPR_RULES_OUT
       python3 ops/lint.py scrape ALERTS_YAML DASHBOARD_JSON SCRAPE_FILE

`files`:

- every alert has a severity label and summary, description and runbook annotations, and no
  Helm templating (the chart embeds the file verbatim);
- every alert has a promtool case where it fires and one where it must not;
- the dashboard is valid JSON with the uid, title, schema version and `datasource` variable the
  chart and Grafana's sidecar rely on, and every panel queries through `${datasource}`;
- the dashboard's PromQL is written to EXPR_RULES_OUT as recording rules, so that
  `promtool check rules` parses every query.
`scrape`: every metric the alerts use appears, with application="chat-proxy", in a saved
/actuator/prometheus scrape (an alert on a metric that does not exist never fires); metrics only
the dashboard uses and that are missing are listed as information.
Prints one line per problem and exits 1 if there is any.
"""

import json
import re
import sys

import yaml

SEVERITIES = {"critical", "warning", "info"}
ANNOTATIONS = ("summary", "description", "runbook")
HELM_TEMPLATING = re.compile(r"\{\{-?\s*(\.Values|\.Release|\.Chart|\.Files|include\b|tpl\b|template\b)")
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$application": "chat-proxy",
    "$instance": ".*",
}


def check_alerts(path, problems):
    with open(path) as f:
        text = f.read()
    if HELM_TEMPLATING.search(text):
        problems.append(f"{path}: contains Helm templating; it must stay a plain rule file")
    alerts = []
    for group in yaml.safe_load(text)["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts.append(name)
            severity = rule.get("labels", {}).get("severity")
            if severity not in SEVERITIES:
                problems.append(f"{path}: {name}: severity label {severity!r} is not one of {sorted(SEVERITIES)}")
            for annotation in ANNOTATIONS:
                if not str(rule.get("annotations", {}).get(annotation, "")).strip():
                    problems.append(f"{path}: {name}: missing annotation {annotation!r}")
    if not alerts:
        problems.append(f"{path}: no alerts")
    return alerts


def check_tests(path, alerts, problems):
    with open(path) as f:
        tests = yaml.safe_load(f)
    if not any(str(rule_file).endswith("helm/chat-proxy/files/alerts.yaml") for rule_file in tests.get("rule_files", [])):
        problems.append(f"{path}: rule_files does not test helm/chat-proxy/files/alerts.yaml")
    fires, quiet = set(), set()
    for test in tests.get("tests", []):
        for case in test.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in alerts:
        if name not in fires:
            problems.append(f"{path}: {name} has no test case where it fires")
        if name not in quiet:
            problems.append(f"{path}: {name} has no test case where it must not fire")
    for name in sorted((fires | quiet) - set(alerts)):
        problems.append(f"{path}: tests alert {name}, which the rule file does not define")


def check_dashboard(path, rules_out, problems):
    try:
        with open(path) as f:
            dashboard = json.load(f)
    except ValueError as ex:
        problems.append(f"{path}: not valid JSON: {ex}")
        return
    for key, expected in (("uid", "chat-proxy"), ("title", "chat-proxy")):
        if dashboard.get(key) != expected:
            problems.append(f"{path}: {key} is {dashboard.get(key)!r}, expected {expected!r}")
    if not 36 <= dashboard.get("schemaVersion", 0) <= 41:
        problems.append(f"{path}: schemaVersion {dashboard.get('schemaVersion')} is not between 36 and 41")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    datasource = variables.get("datasource", {})
    if datasource.get("type") != "datasource" or datasource.get("query") != "prometheus":
        problems.append(f"{path}: needs a `datasource` variable of type datasource for prometheus")
    if "application" not in variables:
        problems.append(f"{path}: needs an `application` variable")
    if "__inputs" in dashboard:
        problems.append(f"{path}: has __inputs; provisioned dashboards must use the ${{datasource}} variable")
    ids, exprs = set(), []
    for panel in dashboard.get("panels", []):
        title = panel.get("title")
        if panel.get("id") in ids:
            problems.append(f"{path}: panel id {panel.get('id')} is used twice")
        ids.add(panel.get("id"))
        if "gridPos" not in panel:
            problems.append(f"{path}: panel {title!r} has no gridPos")
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"{path}: panel {title!r} does not use the ${{datasource}} variable")
        if not panel.get("targets"):
            problems.append(f"{path}: panel {title!r} has no queries")
        for target in panel.get("targets", []):
            if target.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"{path}: panel {title!r} query {target.get('refId')} does not use ${{datasource}}")
            expr = target.get("expr", "")
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            exprs.append(expr)
    rules = [{"record": f"dashboard:query_{i}", "expr": expr} for i, expr in enumerate(exprs)]
    with open(rules_out, "w") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, f)


METRIC_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")


def metric_names(exprs):
    return {name for expr in exprs for name in METRIC_SELECTOR.findall(expr)}


def check_scrape(alerts_path, dashboard_path, scrape_path):
    with open(alerts_path) as f:
        groups = yaml.safe_load(f)["groups"]
    alert_metrics = metric_names(rule["expr"] for group in groups for rule in group["rules"])
    with open(dashboard_path) as f:
        dashboard = json.load(f)
    dashboard_metrics = metric_names(target.get("expr", "") for panel in dashboard["panels"]
                                     for target in panel.get("targets", []))
    present = set()
    with open(scrape_path) as f:
        for line in f:
            match = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}", line)
            if match and 'application="chat-proxy"' in match.group(2):
                present.add(match.group(1))
    problems = [f"  {scrape_path}: no {name}{{application=\"chat-proxy\"}} series, used by alerts.yaml"
                for name in sorted(alert_metrics - present)]
    for line in problems:
        print(line)
    for name in sorted(dashboard_metrics - alert_metrics - present):
        print(f"  info: {scrape_path}: no {name} series yet (dashboard only)")
    if not problems:
        print(f"  all {len(alert_metrics)} metrics used by the alerts are in the scrape")
    return 1 if problems else 0


def main(alerts_path, tests_path, dashboard_path, rules_out):
    problems = []
    alerts = check_alerts(alerts_path, problems)
    check_tests(tests_path, alerts, problems)
    check_dashboard(dashboard_path, rules_out, problems)
    for problem in problems:
        print(f"  {problem}")
    if not problems:
        print(f"  {len(alerts)} alerts, each with severity, summary, description, runbook, a firing and a quiet test")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["files"] and len(sys.argv) == 6:
        sys.exit(main(*sys.argv[2:6]))
    if sys.argv[1:2] == ["scrape"] and len(sys.argv) == 5:
        sys.exit(check_scrape(*sys.argv[2:5]))
    sys.exit(__doc__)
