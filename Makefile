# Agnes — the two commands a newcomer needs are `make run` and `make test`; every target bootstraps first.
SHELL := /bin/bash
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= $(CURDIR)/data
# Release builds compile every module, dependencies included, with each function in its own section, so that the
# server's code can be laid out in the order it runs (Package.swift, docs/performance.md "Memory").
RELEASE := -c release -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections

.PHONY: all bootstrap build release run test crash fuzz fuzz-api soak screenshots bench clean cluster cluster-stop test-cluster

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build $(RELEASE)

run: build
	DATA_DIR="$(DATA_DIR)" $(SWIFT) run agnes-server serve --demo --host $(HOST) --port $(PORT)

# A local cluster on loopback (docs/scale-out.md): PostgreSQL, one worker with the demo dataset, two API replicas and
# nginx balancing them on CLUSTER_PORT (8080); `make cluster-stop` stops every process by its pid.
cluster: build
	CLUSTER_PORT=$${CLUSTER_PORT:-8080} scripts/cluster start

cluster-stop:
	scripts/cluster stop

# The cluster's tests on their own (six processes are too many beside the rest of `make test` on two cores): a
# replica killed mid-pull behind nginx.
test-cluster: bootstrap
	$(SWIFT) build --build-tests
	AGNES_CLUSTER_TESTS=1 $(SWIFT) test --skip-build --filter ClusterTests

# Tests run in parallel worker processes; DuckDB work inside each test is bounded to keep a 2-core machine usable.
test: bootstrap
	scripts/python-tools >/dev/null
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The crash tests (docs/reliability.md): the real binaries killed at named points, restarted, checked.
crash: bootstrap
	scripts/python-tools >/dev/null
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter 'SyncCrashTests|StateCrashTests|LegacyImportCrashTests|AuditDurabilityTests|DataPlaneFlowTests|CLIFlowTests|WorkspaceFlowTests|BackupDrillTests|WALReplayRecoveryTests'

# The fuzzers (docs/reliability.md): each parser's property checked for 60 s (10 s in `make test`);
# AGNES_FUZZ_SECONDS and AGNES_FUZZ_SEED change the time and the inputs.
fuzz: bootstrap
	$(SWIFT) build --build-tests
	AGNES_FUZZ_SECONDS=$${AGNES_FUZZ_SECONDS:-60} $(SWIFT) test --skip-build --filter 'FuzzTests'

# API conformance (docs/reliability.md): schemathesis against /api/openapi.json as an administrator and as an analyst,
# 8 examples per operation (3 in `make test`); the reports are kept in .build/fuzz-api/.
fuzz-api: bootstrap
	scripts/python-tools >/dev/null
	$(SWIFT) build --build-tests
	AGNES_FUZZ_API_EXAMPLES=$${AGNES_FUZZ_API_EXAMPLES:-8} $(SWIFT) test --skip-build --filter APIConformanceTests

# The five-minute soak on its own (docs/reliability.md): 64 clients against a release server; SOAK_SECONDS to change it.
soak: bootstrap
	$(SWIFT) build $(RELEASE) --product agnes-server
	$(SWIFT) build $(RELEASE) --product DataPlaneBenchmark
	$(SWIFT) build $(RELEASE) --product SoakBenchmark
	Benchmarks/Soak/run .build/release/agnes-server .build/release/DataPlaneBenchmark .build/release/SoakBenchmark

# Refreshes docs/screenshots from the browser test (headless Chromium against the demo server).
screenshots: bootstrap
	$(SWIFT) build --build-tests
	AGNES_UPDATE_SCREENSHOTS=1 $(SWIFT) test --skip-build --filter WebUIFlowTests

bench: bootstrap
	$(SWIFT) build $(RELEASE) --product DuckDBBindingBenchmark
	$(SWIFT) build $(RELEASE) --product StateRepositoriesBenchmark
	$(SWIFT) build $(RELEASE) --product LegacyImportBenchmark
	$(SWIFT) build $(RELEASE) --product OrchestratorBenchmark
	$(SWIFT) build $(RELEASE) --product SyncBenchmark
	$(SWIFT) build $(RELEASE) --product DataPlaneBenchmark
	$(SWIFT) build $(RELEASE) --product SoakBenchmark
	$(SWIFT) build $(RELEASE) --product WebUIBenchmark
	$(SWIFT) build $(RELEASE) --product AccessPolicyBenchmark
	$(SWIFT) build $(RELEASE) --product ScanBenchmark
	$(SWIFT) build $(RELEASE) --product KeboolaBenchmark
	$(SWIFT) build $(RELEASE) --product JiraBenchmark
	$(SWIFT) build $(RELEASE) --product DataPackageBenchmark
	$(SWIFT) build $(RELEASE) --product KnowledgeSearchBenchmark
	$(SWIFT) build $(RELEASE) --product LakeBenchmark
	$(SWIFT) build $(RELEASE) --product agnes-server
	$(SWIFT) build $(RELEASE) --product agnes
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
	Benchmarks/ColdPull/run .build/release/agnes-server .build/release/DataPlaneBenchmark .build/release/agnes
	Benchmarks/ScaleOut/run .build/release/agnes-server .build/release/DataPlaneBenchmark .build/release/LakeBenchmark
	.build/release/WebUIBenchmark

clean: bootstrap
	$(SWIFT) package clean
	rm -rf .build
