# Agnes — the two commands a newcomer needs are `make run` and `make test`; every target bootstraps first.
SHELL := /bin/bash
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= $(CURDIR)/data

.PHONY: all bootstrap build release run test crash screenshots bench clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release

run: build
	DATA_DIR="$(DATA_DIR)" $(SWIFT) run agnes-server serve --demo --host $(HOST) --port $(PORT)

# Tests run in parallel worker processes; DuckDB work inside each test is bounded to keep a 2-core machine usable.
test: bootstrap
	scripts/python-tools >/dev/null
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The crash tests (docs/reliability.md): the real binaries killed at named points, restarted, checked.
crash: bootstrap
	scripts/python-tools >/dev/null
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter 'SyncCrashTests|StateCrashTests|LegacyImportCrashTests|AuditDurabilityTests|DataPlaneFlowTests|CLIFlowTests'

# Refreshes docs/screenshots from the browser test (headless Chromium against the demo server).
screenshots: bootstrap
	$(SWIFT) build --build-tests
	AGNES_UPDATE_SCREENSHOTS=1 $(SWIFT) test --skip-build --filter WebUIFlowTests

bench: bootstrap
	$(SWIFT) build -c release --product DuckDBBindingBenchmark
	$(SWIFT) build -c release --product StateRepositoriesBenchmark
	$(SWIFT) build -c release --product LegacyImportBenchmark
	$(SWIFT) build -c release --product OrchestratorBenchmark
	$(SWIFT) build -c release --product SyncBenchmark
	$(SWIFT) build -c release --product DataPlaneBenchmark
	$(SWIFT) build -c release --product SoakBenchmark
	$(SWIFT) build -c release --product WebUIBenchmark
	$(SWIFT) build -c release --product AccessPolicyBenchmark
	$(SWIFT) build -c release --product ScanBenchmark
	$(SWIFT) build -c release --product KeboolaBenchmark
	$(SWIFT) build -c release --product JiraBenchmark
	$(SWIFT) build -c release --product DataPackageBenchmark
	$(SWIFT) build -c release --product KnowledgeSearchBenchmark
	$(SWIFT) build -c release --product agnes-server
	$(SWIFT) build -c release --product agnes
	.build/release/DuckDBBindingBenchmark --duckdb-cli .deps/duckdb-cli/duckdb
	.build/release/StateRepositoriesBenchmark
	.build/release/LegacyImportBenchmark
	.build/release/OrchestratorBenchmark
	.build/release/SyncBenchmark
	.build/release/AccessPolicyBenchmark
	.build/release/ScanBenchmark
	.build/release/KeboolaBenchmark
	.build/release/JiraBenchmark
	.build/release/DataPackageBenchmark
	.build/release/KnowledgeSearchBenchmark
	Benchmarks/Server/run .build/release/agnes-server
	Benchmarks/MCP/run .build/release/agnes-server
	Benchmarks/DataPlane/run .build/release/agnes-server .build/release/DataPlaneBenchmark .build/release/agnes .build/release/SoakBenchmark
	.build/release/WebUIBenchmark

clean: bootstrap
	$(SWIFT) package clean
	rm -rf .build
