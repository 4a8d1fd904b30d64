// The ladder of system.duckdb schema steps. Append new steps at the end; never edit an applied one.

/// The migrations that build `system.duckdb` (SPEC §5.1).
public enum StateSchema {
    /// The newest migration step applied to `state` (0 for a new database).
    public static func appliedVersion(of state: StateStore) async throws -> Int {
        Int(try await state.read { try $0.scalar(Int64.self, "SELECT coalesce(max(version), 0) FROM schema_migrations") } ?? 0)
    }

    public static let migrator = Migrator(migrations: [
        Migration(version: 1, name: "core_schema", body: .sql(coreSchema)),
        Migration(version: 2, name: "users_last_login_at", body: .sql("ALTER TABLE users ADD COLUMN last_login_at TIMESTAMPTZ")),
        Migration(version: 3, name: "audit_log_indexes", body: .sql("""
            CREATE INDEX idx_audit_timestamp ON audit_log (timestamp);
            CREATE INDEX idx_audit_user_time ON audit_log (user_id, timestamp);
            CREATE INDEX idx_audit_action_time ON audit_log (action, timestamp);
            """)),
        // Per-user dataset toggles of the older, file-based Agnes (notifications/sync_settings.json), kept by the
        // legacy import; `user_ref` is the user name or email those files used.
        Migration(version: 4, name: "user_dataset_settings", body: .sql("""
            CREATE TABLE user_dataset_settings (
                user_ref VARCHAR NOT NULL,
                dataset VARCHAR NOT NULL,
                enabled BOOLEAN NOT NULL,
                updated_at TIMESTAMPTZ,
                PRIMARY KEY (user_ref, dataset)
            )
            """)),
        // DuckDB plans an `INSERT … VALUES` once and keeps the plan, except into a table with a `DEFAULT now()`
        // column: that insert is planned again at every execution (about 0.15 ms). The rows written on every
        // login, membership and vote therefore get their timestamps from the application (UTC, to the microsecond).
        Migration(version: 5, name: "hot_insert_timestamps_from_the_application", body: .sql("""
            ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;
            ALTER TABLE users ALTER COLUMN updated_at DROP DEFAULT;
            ALTER TABLE user_group_members ALTER COLUMN added_at DROP DEFAULT;
            ALTER TABLE knowledge_votes ALTER COLUMN voted_at DROP DEFAULT;
            """)),
        // Session tokens carry the epoch they were issued in; a password change or reset and a deactivation move it
        // on, which ends every session issued before. NULL (every user before this step) is epoch 0.
        Migration(version: 6, name: "users_session_epoch", body: .sql("ALTER TABLE users ADD COLUMN session_epoch INTEGER")),
        // Governed access (docs/access-policies.md): a table's access policy (one SELECT over it, with the tables it
        // may join) and tables that never leave the server. Policies replace the never-used grant row filter. NULLs in the new columns read as "none" / false. (A token's surface is one of its scopes.)
        Migration(version: 7, name: "access_policies_and_server_only", body: .sql("""
            ALTER TABLE table_registry ADD COLUMN access_policy_sql VARCHAR;
            ALTER TABLE table_registry ADD COLUMN access_policy_note VARCHAR;
            ALTER TABLE table_registry ADD COLUMN policy_mapping VARCHAR[];
            ALTER TABLE table_registry ADD COLUMN access_policy_updated_at TIMESTAMPTZ;
            ALTER TABLE table_registry ADD COLUMN access_policy_updated_by VARCHAR;
            ALTER TABLE table_registry ADD COLUMN server_only BOOLEAN;
            ALTER TABLE resource_grants DROP COLUMN row_filter;
            """)),
        // MCP clients that registered themselves (OAuth 2.1 dynamic registration) and the tokens users granted them.
        // Only SHA-256 hashes of secrets and tokens are stored; a refresh rotates the pair within one family.
        Migration(version: 8, name: "mcp_oauth", body: .sql("""
            CREATE TABLE oauth_clients (
                id VARCHAR PRIMARY KEY,
                name VARCHAR NOT NULL,
                redirect_uris VARCHAR[] NOT NULL,
                auth_method VARCHAR NOT NULL CHECK (auth_method IN ('none', 'client_secret_post', 'client_secret_basic')),
                secret_hash VARCHAR,
                registered_ip VARCHAR,
                created_at TIMESTAMPTZ NOT NULL,
                revoked_at TIMESTAMPTZ
            );
            CREATE TABLE oauth_tokens (
                id VARCHAR PRIMARY KEY,
                client_id VARCHAR NOT NULL,
                user_id VARCHAR NOT NULL,
                family_id VARCHAR NOT NULL,
                access_hash VARCHAR NOT NULL UNIQUE,
                refresh_hash VARCHAR NOT NULL UNIQUE,
                scope VARCHAR NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                access_expires_at TIMESTAMPTZ NOT NULL,
                refresh_expires_at TIMESTAMPTZ NOT NULL,
                rotated_at TIMESTAMPTZ,
                last_used_at TIMESTAMPTZ,
                revoked_at TIMESTAMPTZ
            );
            CREATE INDEX oauth_tokens_client ON oauth_tokens (client_id);
            CREATE INDEX oauth_tokens_family ON oauth_tokens (family_id);
            """)),
        // Sign-in with an OpenID provider (Google) and group sync from its directory: a user's subject at the
        // provider, a group's directory address (a group with one is managed by the directory), and memberships the
        // sync writes named as upstream names them (`google_sync`; the CHECK changes, so the table is rebuilt).
        Migration(version: 9, name: "directory_sign_in_and_group_sync", body: .sql("""
            CREATE TABLE user_group_members_v9 (
                user_id VARCHAR NOT NULL,
                group_id VARCHAR NOT NULL,
                source VARCHAR NOT NULL CHECK (source IN ('admin', 'system_seed', 'google_sync')),
                added_at TIMESTAMPTZ NOT NULL,
                added_by VARCHAR,
                PRIMARY KEY (user_id, group_id)
            );
            INSERT INTO user_group_members_v9
                SELECT user_id, group_id, CASE source WHEN 'sso_sync' THEN 'google_sync' ELSE source END, added_at, added_by
                FROM user_group_members;
            DROP TABLE user_group_members;
            ALTER TABLE user_group_members_v9 RENAME TO user_group_members;
            ALTER TABLE user_groups ADD COLUMN mapped_email VARCHAR;
            ALTER TABLE users ADD COLUMN oidc_subject VARCHAR;
            """)),
        // Upstream's registry fields for exports and strategies (docs/connectors.md): row filters, the incremental
        // window, the history limit of a first load, the period of partitions, and the first load's chunk size.
        Migration(version: 10, name: "registry_export_options", body: .sql("""
            ALTER TABLE table_registry ADD COLUMN where_filters JSON;
            ALTER TABLE table_registry ADD COLUMN incremental_window_days INTEGER;
            ALTER TABLE table_registry ADD COLUMN max_history_days INTEGER;
            ALTER TABLE table_registry ADD COLUMN partition_granularity VARCHAR;
            ALTER TABLE table_registry ADD COLUMN initial_load_chunk_days INTEGER;
            """)),
        // Data packages and memory domains (docs/data-packages.md): curated sets of tables, metrics and memory items
        // granted as a whole, `available` or `required`, and each user's subscriptions (their stack). Grants gain the
        // two resource types and a requirement (the CHECK changes, so the table is rebuilt); existing grants are
        // `available`, which for tables and folders changes nothing (they are always downloaded).
        Migration(version: 11, name: "data_packages_memory_domains_and_stack", body: .sql("""
            CREATE TABLE data_packages (
                id VARCHAR PRIMARY KEY,
                slug VARCHAR NOT NULL UNIQUE,
                name VARCHAR NOT NULL,
                description VARCHAR,
                icon VARCHAR,
                color VARCHAR,
                cover_image_url VARCHAR,
                status VARCHAR NOT NULL CHECK (status IN ('prod', 'poc', 'coming-soon', 'draft')),
                category VARCHAR,
                tags VARCHAR[] NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                created_by VARCHAR,
                updated_at TIMESTAMPTZ NOT NULL,
                deleted_at TIMESTAMPTZ,
                deleted_by VARCHAR
            );
            CREATE TABLE data_package_tables (
                package_id VARCHAR NOT NULL,
                table_id VARCHAR NOT NULL,
                added_at TIMESTAMPTZ NOT NULL,
                added_by VARCHAR,
                PRIMARY KEY (package_id, table_id)
            );
            CREATE TABLE data_package_metrics (
                package_id VARCHAR NOT NULL,
                metric_id VARCHAR NOT NULL,
                added_at TIMESTAMPTZ NOT NULL,
                added_by VARCHAR,
                PRIMARY KEY (package_id, metric_id)
            );
            CREATE TABLE data_package_memory_domains (
                package_id VARCHAR NOT NULL,
                domain_id VARCHAR NOT NULL,
                added_at TIMESTAMPTZ NOT NULL,
                added_by VARCHAR,
                PRIMARY KEY (package_id, domain_id)
            );
            CREATE TABLE memory_domains (
                id VARCHAR PRIMARY KEY,
                slug VARCHAR NOT NULL UNIQUE,
                name VARCHAR NOT NULL,
                description VARCHAR,
                icon VARCHAR,
                color VARCHAR,
                category VARCHAR,
                tags VARCHAR[] NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                created_by VARCHAR,
                updated_at TIMESTAMPTZ NOT NULL,
                deleted_at TIMESTAMPTZ,
                deleted_by VARCHAR
            );
            CREATE TABLE memory_domain_items (
                domain_id VARCHAR NOT NULL,
                item_id VARCHAR NOT NULL,
                added_at TIMESTAMPTZ NOT NULL,
                added_by VARCHAR,
                PRIMARY KEY (domain_id, item_id)
            );
            CREATE TABLE stack_subscriptions (
                user_id VARCHAR NOT NULL,
                resource_type VARCHAR NOT NULL CHECK (resource_type IN ('data_package', 'memory_domain')),
                resource_id VARCHAR NOT NULL,
                subscribed_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (user_id, resource_type, resource_id)
            );
            CREATE TABLE resource_grants_v11 (
                id VARCHAR PRIMARY KEY,
                group_id VARCHAR NOT NULL,
                resource_type VARCHAR NOT NULL CHECK (resource_type IN ('table', 'table_folder', 'metric_category', 'knowledge_category',
                                                                        'data_package', 'memory_domain')),
                resource_id VARCHAR NOT NULL,
                requirement VARCHAR NOT NULL CHECK (requirement IN ('available', 'required')),
                assigned_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                assigned_by VARCHAR,
                UNIQUE (group_id, resource_type, resource_id)
            );
            INSERT INTO resource_grants_v11
                SELECT id, group_id, resource_type, resource_id, 'available', assigned_at, assigned_by FROM resource_grants;
            DROP TABLE resource_grants;
            ALTER TABLE resource_grants_v11 RENAME TO resource_grants;
            """)),
        // The semantic layer (docs/semantic-layer.md): glossary terms, and semantic models kept as the YAML documents
        // administrators wrote (byte for byte: UTF-8 text, which a VARCHAR keeps exactly and the JSON export carries as
        // it is, where a BLOB would come back escaped), with the tables and metrics they name for access checks.
        Migration(version: 12, name: "glossary_and_semantic_models", body: .sql("""
            CREATE TABLE glossary_terms (
                id VARCHAR PRIMARY KEY,
                term VARCHAR NOT NULL UNIQUE,
                definition VARCHAR NOT NULL,
                see_also VARCHAR[] NOT NULL,
                synonyms VARCHAR[] NOT NULL,
                source VARCHAR NOT NULL,
                source_ref VARCHAR,
                updated_by VARCHAR,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE semantic_models (
                id VARCHAR PRIMARY KEY,
                title VARCHAR NOT NULL,
                description VARCHAR,
                document VARCHAR NOT NULL,
                tables VARCHAR[] NOT NULL,
                metrics VARCHAR[] NOT NULL,
                status VARCHAR NOT NULL CHECK (status IN ('active', 'draft')),
                source VARCHAR NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                created_by VARCHAR,
                updated_at TIMESTAMPTZ NOT NULL,
                updated_by VARCHAR
            );
            """)),
        // Usage telemetry (docs/state.md): when each user last asked for the manifest (stamped in batches), and the
        // row the readiness canary rewrites to prove the database still takes writes.
        Migration(version: 13, name: "usage_and_readiness", body: .sql("""
            ALTER TABLE users ADD COLUMN last_pull_at TIMESTAMPTZ;
            CREATE TABLE health_canary (
                id INTEGER PRIMARY KEY,
                written_at TIMESTAMPTZ NOT NULL
            );
            """)),
        // The first administrator's claim (`POST /auth/bootstrap`) as one row with a fixed key: of claims made at once,
        // only one transaction can commit it; the others fail on the key, are retried, and find the bootstrap closed.
        Migration(version: 14, name: "bootstrap_claim", body: .sql("""
            CREATE TABLE bootstrap_claim (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                user_id VARCHAR NOT NULL,
                claimed_at TIMESTAMPTZ NOT NULL
            );
            """)),
        // The job queue (docs/scale-out.md): work a worker process claims with a lease it keeps renewing; an expired
        // lease is claimed again, up to `max_attempts`. `job_keys` holds each idempotency key's job, so enqueuers that
        // race on one key collide on its primary key and the loser gets the winner's job.
        Migration(version: 15, name: "job_queue", body: .sql("""
            CREATE TABLE jobs (
                id VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL,
                payload JSON NOT NULL,
                status VARCHAR NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
                priority INTEGER NOT NULL,
                run_after TIMESTAMPTZ NOT NULL,
                attempts INTEGER NOT NULL,
                max_attempts INTEGER NOT NULL,
                leased_by VARCHAR,
                lease_token VARCHAR,
                lease_expires_at TIMESTAMPTZ,
                idempotency_key VARCHAR,
                last_error VARCHAR,
                result JSON,
                created_at TIMESTAMPTZ NOT NULL,
                created_by VARCHAR,
                started_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ
            );
            CREATE TABLE job_keys (
                idempotency_key VARCHAR PRIMARY KEY,
                job_id VARCHAR NOT NULL
            );
            """)),
        // Sign-in and other rate-limit windows counted in the state, so that replicas sharing a PostgreSQL state
        // share one budget per client (an embedded server counts in memory and leaves the table empty).
        Migration(version: 16, name: "shared_rate_limits", body: .sql("""
            CREATE TABLE rate_limit_windows (
                key VARCHAR PRIMARY KEY,
                window_start TIMESTAMPTZ NOT NULL,
                count BIGINT NOT NULL
            );
            """)),
        // With table data on DuckLake, the lake snapshot each table's last good sync wrote: the query engines read the
        // table at that version, so the lake and the recorded state never disagree.
        Migration(version: 17, name: "sync_state_lake_version", body: .sql("""
            ALTER TABLE sync_state ADD COLUMN lake_version BIGINT;
            """)),
        // In DuckDB the audit log's secondary indexes (step 3) answered no query — the audit reads filter with
        // `($n IS NULL OR …)`, which no index scan serves, and sort by time, which zone maps do — yet every append
        // updated them, and DuckDB keeps an index in memory once a write touches it: 2 MiB of an idle server with a
        // few thousand entries, growing with the log. PostgreSQL's B-trees live on disk and serve its planner: kept.
        Migration(version: 18, name: "drop_duckdb_audit_indexes", body: .swift(fingerprint: "drop idx_audit_* on duckdb, v1") { connection in
            guard connection.dialect == .duckDB else { return }
            for index in ["idx_audit_timestamp", "idx_audit_user_time", "idx_audit_action_time"] {
                _ = try connection.execute("DROP INDEX IF EXISTS \(index)")
            }
        }),
    ])

    /// Version 1: every table of SPEC §5.1. Timestamps are UTC `TIMESTAMPTZ`, lists `VARCHAR[]`, structures `JSON`.
    static let coreSchema = """
        CREATE TABLE users (
            id VARCHAR PRIMARY KEY,
            email VARCHAR NOT NULL UNIQUE,
            name VARCHAR,
            password_hash VARCHAR,
            active BOOLEAN NOT NULL DEFAULT TRUE,
            deactivated_at TIMESTAMPTZ,
            deactivated_by VARCHAR,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE one_time_tokens (
            id VARCHAR PRIMARY KEY,
            user_id VARCHAR NOT NULL,
            purpose VARCHAR NOT NULL CHECK (purpose IN ('magic_link', 'password_setup', 'password_reset')),
            token_hash VARCHAR NOT NULL UNIQUE,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            expires_at TIMESTAMPTZ NOT NULL,
            consumed_at TIMESTAMPTZ
        );
        CREATE TABLE personal_access_tokens (
            id VARCHAR PRIMARY KEY,
            user_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            token_hash VARCHAR NOT NULL UNIQUE,
            prefix VARCHAR NOT NULL,
            scopes VARCHAR[] NOT NULL DEFAULT [],
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            expires_at TIMESTAMPTZ,
            last_used_at TIMESTAMPTZ,
            last_used_ip VARCHAR,
            revoked_at TIMESTAMPTZ
        );
        CREATE TABLE user_groups (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL UNIQUE,
            description VARCHAR,
            is_system BOOLEAN NOT NULL DEFAULT FALSE,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            created_by VARCHAR
        );
        CREATE TABLE user_group_members (
            user_id VARCHAR NOT NULL,
            group_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL CHECK (source IN ('admin', 'system_seed', 'sso_sync')),
            added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            added_by VARCHAR,
            PRIMARY KEY (user_id, group_id)
        );
        CREATE TABLE resource_grants (
            id VARCHAR PRIMARY KEY,
            group_id VARCHAR NOT NULL,
            resource_type VARCHAR NOT NULL CHECK (resource_type IN ('table', 'table_folder', 'metric_category', 'knowledge_category')),
            resource_id VARCHAR NOT NULL,
            row_filter VARCHAR,
            assigned_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            assigned_by VARCHAR,
            UNIQUE (group_id, resource_type, resource_id)
        );
        CREATE TABLE data_sources (
            name VARCHAR PRIMARY KEY,
            type VARCHAR NOT NULL,
            config JSON NOT NULL DEFAULT '{}',
            secret_env VARCHAR[] NOT NULL DEFAULT [],
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE table_registry (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL UNIQUE,
            source_name VARCHAR,
            source_type VARCHAR,
            bucket VARCHAR,
            source_table VARCHAR,
            source_query VARCHAR,
            query_mode VARCHAR NOT NULL DEFAULT 'local' CHECK (query_mode IN ('local', 'materialized', 'remote')),
            sync_strategy VARCHAR NOT NULL DEFAULT 'full_refresh' CHECK (sync_strategy IN ('full_refresh', 'incremental', 'partitioned')),
            sync_schedule VARCHAR,
            primary_key VARCHAR[] NOT NULL DEFAULT [],
            incremental_column VARCHAR,
            partition_by VARCHAR,
            folder VARCHAR,
            description VARCHAR,
            registered_by VARCHAR,
            registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE sync_state (
            table_id VARCHAR PRIMARY KEY,
            last_sync TIMESTAMPTZ,
            rows BIGINT,
            file_size_bytes BIGINT,
            columns INTEGER,
            sha256 VARCHAR,
            md5 VARCHAR,
            schema_hash VARCHAR,
            files JSON,
            status VARCHAR NOT NULL DEFAULT 'never' CHECK (status IN ('ok', 'error', 'never')),
            error VARCHAR
        );
        CREATE TABLE sync_history (
            id VARCHAR PRIMARY KEY,
            table_id VARCHAR NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ,
            trigger VARCHAR,
            rows BIGINT,
            bytes BIGINT,
            duration_ms BIGINT,
            status VARCHAR NOT NULL CHECK (status IN ('ok', 'error')),
            error VARCHAR
        );
        CREATE TABLE table_profiles (
            table_id VARCHAR PRIMARY KEY,
            profile JSON NOT NULL,
            profiled_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE column_metadata (
            table_id VARCHAR NOT NULL,
            column_name VARCHAR NOT NULL,
            description VARCHAR,
            updated_by VARCHAR,
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (table_id, column_name)
        );
        CREATE TABLE knowledge_items (
            id VARCHAR PRIMARY KEY,
            title VARCHAR NOT NULL,
            content VARCHAR,
            category VARCHAR,
            domain VARCHAR,
            tags VARCHAR[] NOT NULL DEFAULT [],
            status VARCHAR NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'mandatory', 'rejected', 'archived')),
            audience VARCHAR,
            sensitivity VARCHAR,
            source_user VARCHAR,
            source_type VARCHAR,
            source_ref VARCHAR,
            contributors VARCHAR[] NOT NULL DEFAULT [],
            confidence DOUBLE,
            supersedes VARCHAR,
            valid_from TIMESTAMPTZ,
            valid_until TIMESTAMPTZ,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            reviewed_by VARCHAR,
            reviewed_at TIMESTAMPTZ
        );
        CREATE TABLE knowledge_votes (
            item_id VARCHAR NOT NULL,
            user_id VARCHAR NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (item_id, user_id)
        );
        CREATE TABLE metric_definitions (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            display_name VARCHAR,
            category VARCHAR NOT NULL,
            description VARCHAR,
            type VARCHAR,
            unit VARCHAR,
            grain VARCHAR,
            tables VARCHAR[] NOT NULL DEFAULT [],
            expression VARCHAR,
            time_column VARCHAR,
            dimensions VARCHAR[] NOT NULL DEFAULT [],
            filters VARCHAR[] NOT NULL DEFAULT [],
            synonyms VARCHAR[] NOT NULL DEFAULT [],
            notes VARCHAR[] NOT NULL DEFAULT [],
            sql VARCHAR,
            status VARCHAR,
            source VARCHAR,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE audit_log (
            id VARCHAR PRIMARY KEY,
            timestamp TIMESTAMPTZ NOT NULL,
            user_id VARCHAR,
            action VARCHAR NOT NULL,
            resource VARCHAR,
            params JSON,
            result VARCHAR,
            duration_ms BIGINT,
            client_ip VARCHAR,
            client_kind VARCHAR,
            request_id VARCHAR
        );
        CREATE TABLE uploads (
            id VARCHAR PRIMARY KEY,
            user_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('session', 'local_md')),
            name VARCHAR NOT NULL,
            bytes BIGINT NOT NULL,
            sha256 VARCHAR NOT NULL,
            uploaded_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE instance_templates (
            key VARCHAR PRIMARY KEY,
            content VARCHAR NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_by VARCHAR
        );
        CREATE TABLE notification_links (
            user_id VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            address VARCHAR NOT NULL,
            linked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (user_id, channel)
        );
        CREATE TABLE scripts (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            owner VARCHAR,
            schedule VARCHAR,
            kind VARCHAR,
            source VARCHAR,
            deployed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            last_run TIMESTAMPTZ,
            last_status VARCHAR
        );
        """
}
