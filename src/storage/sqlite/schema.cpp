// The tables of REQ-019 3.2 in SQLite's dialect. Differences from the spec's MySQL DDL, and why:
//  - timestamps are INTEGER milliseconds since the Unix epoch (UTC): exact, compact, and durations
//    are a subtraction; the API shows them as ISO-8601.
//  - JSON columns are TEXT checked with json_valid(); VARCHAR(n) is TEXT checked with length() <= n
//    (SQLite's length() counts characters, as VARCHAR does); enumerations are CHECKed with `=` ... OR
//    chains, not IN (...): SQLite evaluates a constant IN list of more than two values by building a
//    temporary b-tree for every row it checks, which took a third of an insert (docs/PERFORMANCE.md).
//  - index names are prefixed with their table, because SQLite's index names are database-wide.
//  - the FULLTEXT keys become FTS5 tables with the knowledge search capability.
//  - knowledge_articles (migration 2) is ours: the spec names the knowledge base (REQ-005) but not
//    its table; external_id is the source's own id, unique per tenant, so re-imports update.
//  - self_service_sessions has `state`, the lifecycle of spec 5.2; resolution_status is kept in
//    step with it. customer_feedback.status holds the spec's codes 1-6 (closed = 4 as in the spec,
//    needs_info = 5 and reprocessing = 6 for the states the diagram adds).

#include "storage/sqlite/schema.hpp"

#include <algorithm>
#include <string>

#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {
namespace {

constexpr const char* kMigrations[] = {
    // 1: the five tables of spec 3.2.
    R"sql(
CREATE TABLE customer_portal_configs (
  id                INTEGER PRIMARY KEY,
  tenant_id         INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id       INTEGER NOT NULL CHECK (customer_id > 0),
  portal_domain     TEXT CHECK (length(portal_domain) <= 100),
  portal_title      TEXT NOT NULL DEFAULT '客户服务门户' CHECK (length(portal_title) <= 100),
  logo_url          TEXT CHECK (length(logo_url) <= 255),
  theme_color       TEXT DEFAULT '#409EFF' CHECK (length(theme_color) <= 20),
  welcome_message   TEXT,
  contact_info      TEXT CHECK (contact_info IS NULL OR json_valid(contact_info)),
  enabled_features  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(enabled_features)),
  custom_css        TEXT,
  sso_config        TEXT CHECK (sso_config IS NULL OR json_valid(sso_config)),
  security_settings TEXT CHECK (security_settings IS NULL OR json_valid(security_settings)),
  status            INTEGER NOT NULL DEFAULT 1 CHECK (status IN (1, 2)),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  created_by        INTEGER,
  updated_by        INTEGER,
  UNIQUE (tenant_id, customer_id)
);
CREATE INDEX customer_portal_configs_portal_domain ON customer_portal_configs (portal_domain);
CREATE INDEX customer_portal_configs_tenant_status ON customer_portal_configs (tenant_id, status);
CREATE INDEX customer_portal_configs_created_at ON customer_portal_configs (created_at);

CREATE TABLE self_service_sessions (
  id                 INTEGER PRIMARY KEY,
  session_id         TEXT NOT NULL UNIQUE CHECK (length(session_id) BETWEEN 1 AND 64),
  tenant_id          INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id        INTEGER NOT NULL,
  user_id            INTEGER NOT NULL,
  session_type       TEXT NOT NULL DEFAULT 'search'
                       CHECK (session_type = 'search' OR session_type = 'ai_chat' OR session_type = 'ticket'),
  initial_question   TEXT NOT NULL DEFAULT '',
  session_context    TEXT CHECK (session_context IS NULL OR json_valid(session_context)),
  state              TEXT NOT NULL DEFAULT 'not_started'
                       CHECK (state = 'not_started' OR state = 'in_progress' OR state = 'paused' OR
                              state = 'resolved' OR state = 'escalated' OR state = 'timed_out' OR
                              state = 'rated' OR state = 'closed'),
  resolution_status  TEXT NOT NULL DEFAULT 'pending'
                       CHECK (resolution_status = 'pending' OR resolution_status = 'resolved' OR
                              resolution_status = 'escalated'),
  satisfaction_score INTEGER CHECK (satisfaction_score BETWEEN 1 AND 5),
  feedback_content   TEXT,
  session_duration   INTEGER NOT NULL DEFAULT 0 CHECK (session_duration >= 0),
  interaction_count  INTEGER NOT NULL DEFAULT 0 CHECK (interaction_count >= 0),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  ended_at           INTEGER
);
CREATE INDEX self_service_sessions_tenant_customer ON self_service_sessions (tenant_id, customer_id);
CREATE INDEX self_service_sessions_session_type ON self_service_sessions (session_type);
CREATE INDEX self_service_sessions_resolution_status ON self_service_sessions (resolution_status);
CREATE INDEX self_service_sessions_created_at ON self_service_sessions (created_at);
CREATE INDEX self_service_sessions_tenant_state ON self_service_sessions (tenant_id, state, updated_at);

CREATE TABLE session_interactions (
  id                    INTEGER PRIMARY KEY,
  session_id            TEXT NOT NULL REFERENCES self_service_sessions (session_id) ON DELETE CASCADE,
  tenant_id             INTEGER NOT NULL CHECK (tenant_id > 0),
  interaction_type      TEXT NOT NULL CHECK (interaction_type = 'question' OR interaction_type = 'answer' OR
                                             interaction_type = 'recommendation' OR interaction_type = 'feedback'),
  user_input            TEXT,
  system_response       TEXT,
  ai_confidence         REAL CHECK (ai_confidence BETWEEN 0 AND 1),
  response_time         INTEGER CHECK (response_time >= 0),
  knowledge_article_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(knowledge_article_ids)),
  helpful_rating        INTEGER CHECK (helpful_rating BETWEEN 1 AND 5),
  created_at            INTEGER NOT NULL
);
CREATE INDEX session_interactions_session_id ON session_interactions (session_id);
CREATE INDEX session_interactions_tenant_id ON session_interactions (tenant_id);
CREATE INDEX session_interactions_interaction_type ON session_interactions (interaction_type);
CREATE INDEX session_interactions_created_at ON session_interactions (created_at);

CREATE TABLE customer_feedback (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id      INTEGER NOT NULL,
  user_id          INTEGER NOT NULL,
  feedback_type    TEXT NOT NULL CHECK (feedback_type = 'service' OR feedback_type = 'feature' OR
                                        feedback_type = 'bug' OR feedback_type = 'suggestion'),
  related_id       TEXT NOT NULL CHECK (length(related_id) BETWEEN 1 AND 100),
  related_type     TEXT NOT NULL CHECK (related_type = 'ticket' OR related_type = 'knowledge' OR
                                        related_type = 'session'),
  rating           INTEGER CHECK (rating BETWEEN 1 AND 5),
  feedback_content TEXT,
  suggestions      TEXT,
  contact_required INTEGER NOT NULL DEFAULT 0 CHECK (contact_required IN (0, 1)),
  priority_level   INTEGER NOT NULL DEFAULT 2 CHECK (priority_level BETWEEN 1 AND 3),
  sentiment_score  REAL CHECK (sentiment_score BETWEEN -1 AND 1),
  status           INTEGER NOT NULL DEFAULT 1 CHECK (status BETWEEN 1 AND 6),
  processed_by     INTEGER,
  processed_at     INTEGER,
  response_content TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX customer_feedback_tenant_customer ON customer_feedback (tenant_id, customer_id);
CREATE INDEX customer_feedback_feedback_type ON customer_feedback (feedback_type);
CREATE INDEX customer_feedback_rating ON customer_feedback (rating);
CREATE INDEX customer_feedback_status ON customer_feedback (status);
CREATE INDEX customer_feedback_priority_level ON customer_feedback (priority_level);
CREATE INDEX customer_feedback_created_at ON customer_feedback (created_at);

CREATE TABLE user_behavior_analytics (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id     INTEGER NOT NULL,
  user_id         INTEGER NOT NULL,
  session_id      TEXT CHECK (length(session_id) <= 64),
  page_path       TEXT NOT NULL CHECK (length(page_path) BETWEEN 1 AND 255),
  action_type     TEXT NOT NULL CHECK (action_type = 'view' OR action_type = 'search' OR
                                       action_type = 'click' OR action_type = 'download' OR
                                       action_type = 'submit'),
  action_target   TEXT CHECK (length(action_target) <= 255),
  search_keywords TEXT CHECK (length(search_keywords) <= 500),
  stay_duration   INTEGER NOT NULL DEFAULT 0 CHECK (stay_duration >= 0),
  device_type     TEXT CHECK (device_type = 'desktop' OR device_type = 'mobile' OR device_type = 'tablet'),
  browser_info    TEXT CHECK (length(browser_info) <= 100),
  ip_address      TEXT CHECK (length(ip_address) <= 45),
  user_agent      TEXT,
  referrer_url    TEXT CHECK (length(referrer_url) <= 500),
  created_at      INTEGER NOT NULL
);
CREATE INDEX user_behavior_analytics_tenant_customer ON user_behavior_analytics (tenant_id, customer_id);
CREATE INDEX user_behavior_analytics_session_id ON user_behavior_analytics (session_id);
CREATE INDEX user_behavior_analytics_action_type ON user_behavior_analytics (action_type);
CREATE INDEX user_behavior_analytics_created_at ON user_behavior_analytics (created_at);
CREATE INDEX user_behavior_analytics_search_keywords ON user_behavior_analytics (search_keywords);
)sql",
    // 2: the knowledge base (issue 3).
    R"sql(
CREATE TABLE knowledge_articles (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: interactions and feedback cite ids
  tenant_id       INTEGER NOT NULL CHECK (tenant_id > 0),
  external_id     TEXT CHECK (length(external_id) BETWEEN 1 AND 100),
  title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
  category        TEXT CHECK (length(category) <= 100),
  tags            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  lang            TEXT NOT NULL CHECK (lang = 'zh' OR lang = 'en'),
  source          TEXT CHECK (length(source) <= 100),
  url             TEXT CHECK (length(url) <= 500),
  status          TEXT NOT NULL DEFAULT 'published'
                    CHECK (status = 'draft' OR status = 'published' OR status = 'archived'),
  helpful_votes   INTEGER NOT NULL DEFAULT 0 CHECK (helpful_votes >= 0),
  unhelpful_votes INTEGER NOT NULL DEFAULT 0 CHECK (unhelpful_votes >= 0),
  views           INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0),
  updated_at      INTEGER NOT NULL,
  -- Last: a long body spills into overflow pages, and every column after it would be read through
  -- them when a search filters and ranks its candidates.
  body            TEXT NOT NULL,
  UNIQUE (tenant_id, external_id)
);
CREATE INDEX knowledge_articles_tenant_lang_category ON knowledge_articles (tenant_id, lang, category);
CREATE INDEX knowledge_articles_tenant_updated_at ON knowledge_articles (tenant_id, updated_at);
)sql",
    // 3: the knowledge search index, kept in step with knowledge_articles by triggers.
    R"sql(
CREATE VIRTUAL TABLE knowledge_fts USING fts5(
  title, tags, category, body,
  content = 'knowledge_articles', content_rowid = 'id', tokenize = 'selfservice');
CREATE VIRTUAL TABLE knowledge_vocab USING fts5vocab(knowledge_fts, 'row');
CREATE TRIGGER knowledge_articles_fts_insert AFTER INSERT ON knowledge_articles BEGIN
  INSERT INTO knowledge_fts (rowid, title, tags, category, body)
    VALUES (new.id, new.title, new.tags, new.category, new.body);
END;
CREATE TRIGGER knowledge_articles_fts_delete AFTER DELETE ON knowledge_articles BEGIN
  INSERT INTO knowledge_fts (knowledge_fts, rowid, title, tags, category, body)
    VALUES ('delete', old.id, old.title, old.tags, old.category, old.body);
END;
CREATE TRIGGER knowledge_articles_fts_update AFTER UPDATE OF title, tags, category, body ON knowledge_articles BEGIN
  INSERT INTO knowledge_fts (knowledge_fts, rowid, title, tags, category, body)
    VALUES ('delete', old.id, old.title, old.tags, old.category, old.body);
  INSERT INTO knowledge_fts (rowid, title, tags, category, body)
    VALUES (new.id, new.title, new.tags, new.category, new.body);
END;
INSERT INTO knowledge_fts (knowledge_fts) VALUES ('rebuild');
)sql",
    // 4: trending searches read one tenant's search events of a time window (issue 3).
    R"sql(
CREATE INDEX user_behavior_analytics_tenant_action_created
  ON user_behavior_analytics (tenant_id, action_type, created_at);
)sql",
    // 5: each tenant's synonym dictionary (search.synonyms.*).
    R"sql(
CREATE TABLE search_synonyms (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL CHECK (tenant_id > 0),
  term       TEXT NOT NULL CHECK (length(term) BETWEEN 1 AND 100),
  synonyms   TEXT NOT NULL CHECK (json_valid(synonyms)),
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, term)
);
)sql",
    // 6: completions (search.suggestions; TitleSearch in knowledge_repository.cpp, TopSearches).
    // Titles starting with a fragment are one range of the lower(title) index. Titles containing it
    // further on are listed by knowledge_title_fts (title_index.hpp), which indexes each distinct
    // title of a tenant, language and status once (knowledge_titles counts the articles carrying
    // it), when they are few; when they are many, they are found walking the titles most viewed
    // first, which the views index serves. The text indexed is "<tenant_id>/<lang>/<status>:<title>"
    // (TitleScope()); a contentless table must be told what to forget with that same text. Past
    // searches starting with a prefix were a range of their lowercased keywords, read from the
    // index alone, until migration 8 counted them.
    R"sql(
CREATE TABLE knowledge_titles (
  id        INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL,
  lang      TEXT NOT NULL,
  status    TEXT NOT NULL,
  title     TEXT NOT NULL,
  articles  INTEGER NOT NULL CHECK (articles > 0),
  UNIQUE (tenant_id, lang, status, title)
);
CREATE VIRTUAL TABLE knowledge_title_fts USING fts5(
  scoped_title, content = '', columnsize = 0, tokenize = 'selfservice_title');
CREATE TRIGGER knowledge_titles_fts_insert AFTER INSERT ON knowledge_titles BEGIN
  INSERT INTO knowledge_title_fts (rowid, scoped_title)
    VALUES (new.id, new.tenant_id || '/' || new.lang || '/' || new.status || ':' || new.title);
END;
CREATE TRIGGER knowledge_titles_fts_delete AFTER DELETE ON knowledge_titles BEGIN
  INSERT INTO knowledge_title_fts (knowledge_title_fts, rowid, scoped_title)
    VALUES ('delete', old.id, old.tenant_id || '/' || old.lang || '/' || old.status || ':' || old.title);
END;
CREATE TRIGGER knowledge_articles_title_insert AFTER INSERT ON knowledge_articles BEGIN
  INSERT INTO knowledge_titles (tenant_id, lang, status, title, articles)
    VALUES (new.tenant_id, new.lang, new.status, new.title, 1)
    ON CONFLICT (tenant_id, lang, status, title) DO UPDATE SET articles = articles + 1;
END;
CREATE TRIGGER knowledge_articles_title_delete AFTER DELETE ON knowledge_articles BEGIN
  DELETE FROM knowledge_titles
    WHERE tenant_id = old.tenant_id AND lang = old.lang AND status = old.status AND title = old.title
      AND articles = 1;
  UPDATE knowledge_titles SET articles = articles - 1
    WHERE tenant_id = old.tenant_id AND lang = old.lang AND status = old.status AND title = old.title;
END;
CREATE TRIGGER knowledge_articles_title_update AFTER UPDATE OF tenant_id, lang, status, title ON knowledge_articles
  WHEN old.tenant_id IS NOT new.tenant_id OR old.lang IS NOT new.lang OR old.status IS NOT new.status
    OR old.title IS NOT new.title BEGIN
  DELETE FROM knowledge_titles
    WHERE tenant_id = old.tenant_id AND lang = old.lang AND status = old.status AND title = old.title
      AND articles = 1;
  UPDATE knowledge_titles SET articles = articles - 1
    WHERE tenant_id = old.tenant_id AND lang = old.lang AND status = old.status AND title = old.title;
  INSERT INTO knowledge_titles (tenant_id, lang, status, title, articles)
    VALUES (new.tenant_id, new.lang, new.status, new.title, 1)
    ON CONFLICT (tenant_id, lang, status, title) DO UPDATE SET articles = articles + 1;
END;
INSERT INTO knowledge_titles (tenant_id, lang, status, title, articles)
  SELECT tenant_id, lang, status, title, count(*) FROM knowledge_articles GROUP BY tenant_id, lang, status, title;
CREATE INDEX knowledge_articles_tenant_status_lower_title
  ON knowledge_articles (tenant_id, status, lower(title), views, title, lang);
CREATE INDEX knowledge_articles_tenant_status_views
  ON knowledge_articles (tenant_id, status, views DESC, title, lang);
CREATE INDEX user_behavior_analytics_tenant_search_keywords
  ON user_behavior_analytics (tenant_id, lower(search_keywords), created_at, customer_id, action_target, search_keywords)
  WHERE action_type = 'search' AND search_keywords IS NOT NULL;
)sql",
    // 7: the search's candidates are checked and weighed by these columns (local_search.cpp); in
    // an index keyed by id a few hundred articles share a page, where each article's own row,
    // body included, fills one or more.
    R"sql(
CREATE INDEX knowledge_articles_ranking
  ON knowledge_articles (id, tenant_id, status, lang, category, helpful_votes, unhelpful_votes, views);
)sql",
    // 8: popular past queries (TopSearches: search.suggestions, search.trending) read search events
    // counted per tenant, normalised keywords (selfservice_keywords(), registered on every
    // connection: NormalizeKeywords) and hour (created_at / 3,600,000), counted by a trigger on every
    // insert of a search event that found something, in the inserting transaction: the searches, the
    // sum of their offsets in the hour (their mean time), the first and last, and the least and
    // greatest customer (two customers or more when they differ). Events are never updated or
    // deleted. An hour cut by an end of a window is read event by event from the tenant's search
    // events by time, which replaces the keywords index of migration 6.
    R"sql(
CREATE TABLE search_counts (
  tenant_id    INTEGER NOT NULL,
  keywords     TEXT NOT NULL,
  hour         INTEGER NOT NULL,
  searches     INTEGER NOT NULL,
  offset_sum   INTEGER NOT NULL,
  first_at     INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  min_customer INTEGER NOT NULL,
  max_customer INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, keywords, hour)
) WITHOUT ROWID;
CREATE INDEX search_counts_tenant_hour ON search_counts (tenant_id, hour);
CREATE TRIGGER user_behavior_analytics_search_count AFTER INSERT ON user_behavior_analytics
  WHEN new.action_type = 'search' AND new.search_keywords IS NOT NULL
    AND (new.action_target IS NULL OR new.action_target <> 'results:0') BEGIN
  INSERT INTO search_counts
      (tenant_id, keywords, hour, searches, offset_sum, first_at, last_at, min_customer, max_customer)
    SELECT new.tenant_id, keywords, new.created_at / 3600000, 1, new.created_at % 3600000,
           new.created_at, new.created_at, new.customer_id, new.customer_id
      FROM (SELECT selfservice_keywords(new.search_keywords) AS keywords) WHERE keywords <> ''
    ON CONFLICT (tenant_id, keywords, hour) DO UPDATE SET
      searches = searches + 1, offset_sum = offset_sum + excluded.offset_sum,
      first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
      min_customer = min(min_customer, excluded.min_customer),
      max_customer = max(max_customer, excluded.max_customer);
END;
INSERT INTO search_counts
    (tenant_id, keywords, hour, searches, offset_sum, first_at, last_at, min_customer, max_customer)
  SELECT tenant_id, keywords, created_at / 3600000, count(*), sum(created_at % 3600000),
         min(created_at), max(created_at), min(customer_id), max(customer_id)
    FROM (SELECT tenant_id, selfservice_keywords(search_keywords) AS keywords, created_at, customer_id
            FROM user_behavior_analytics
           WHERE action_type = 'search' AND search_keywords IS NOT NULL
             AND (action_target IS NULL OR action_target <> 'results:0'))
   WHERE keywords <> ''
   GROUP BY tenant_id, keywords, created_at / 3600000;
DROP INDEX user_behavior_analytics_tenant_search_keywords;
CREATE INDEX user_behavior_analytics_tenant_searches
  ON user_behavior_analytics (tenant_id, created_at, customer_id, action_target, search_keywords)
  WHERE action_type = 'search' AND search_keywords IS NOT NULL;
)sql",
    // 9: what the portal remembers of the remote systems across restarts (RemoteStateRepository):
    // the Elasticsearch mirror's marks of a tenant behind and its deletions not yet sent, each
    // deletion tagged with the miss that remembered it so that a reindex forgets only what it
    // covered, and each tenant's knowledge.sync cursor per source.
    R"sql(
CREATE TABLE search_index_state (
  tenant_id  INTEGER PRIMARY KEY CHECK (tenant_id > 0),
  behind     INTEGER NOT NULL CHECK (behind = 0 OR behind = 1),
  misses     INTEGER NOT NULL CHECK (misses >= 0),
  updated_at INTEGER NOT NULL
);
CREATE TABLE search_index_pending_deletions (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL CHECK (tenant_id > 0),
  article_id  INTEGER CHECK (article_id > 0),
  external_id TEXT CHECK (length(external_id) BETWEEN 1 AND 100),
  miss        INTEGER NOT NULL,
  CHECK ((article_id IS NULL) <> (external_id IS NULL))
);
CREATE UNIQUE INDEX search_index_pending_deletions_article
  ON search_index_pending_deletions (tenant_id, article_id) WHERE article_id IS NOT NULL;
CREATE UNIQUE INDEX search_index_pending_deletions_external
  ON search_index_pending_deletions (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE TABLE knowledge_sync_cursors (
  tenant_id  INTEGER NOT NULL CHECK (tenant_id > 0),
  source     TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 64),
  cursor     TEXT NOT NULL CHECK (length(cursor) <= 4096),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, source)
);
)sql",
    // 10: popular past queries without reading every hour of the window (TopSearches). Beside
    // migration 8's hours, search events that found something are counted per tenant, normalised
    // keywords and day (created_at / 86,400,000; the same columns as search_counts, the offsets
    // within the day), and each tenant's keywords keep, over all their searches ever, the count,
    // first and last time, least and greatest customer and two running decayed scores: day_score =
    // log2(sum of 2^(created_at / 24 h)) and week_score = log2(sum of 2^(created_at / 168 h)), the
    // half-lives of search.trending's default and of search.suggestions. A search of weight
    // 0.5^(age / half-life) at time `now` adds up to 2^(score - now / half-life): exponents never
    // overflow, and the keywords' order by score is their order by decayed weight at any time, so
    // the day_score index lists a tenant's most searched keywords first. One trigger keeps both
    // tables in the inserting transaction, as migration 8's does search_counts; both are filled
    // here from search_counts (scores: each hour's searches at their mean time).
    R"sql(
CREATE TABLE search_counts_daily (
  tenant_id    INTEGER NOT NULL,
  keywords     TEXT NOT NULL,
  day          INTEGER NOT NULL,
  searches     INTEGER NOT NULL,
  offset_sum   INTEGER NOT NULL,
  first_at     INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  min_customer INTEGER NOT NULL,
  max_customer INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, keywords, day)
) WITHOUT ROWID;
CREATE TABLE search_keyword_scores (
  tenant_id    INTEGER NOT NULL,
  keywords     TEXT NOT NULL,
  searches     INTEGER NOT NULL,
  first_at     INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  min_customer INTEGER NOT NULL,
  max_customer INTEGER NOT NULL,
  day_score    REAL NOT NULL,
  week_score   REAL NOT NULL,
  PRIMARY KEY (tenant_id, keywords)
) WITHOUT ROWID;
CREATE INDEX search_keyword_scores_tenant_day_score ON search_keyword_scores (tenant_id, day_score);
CREATE TRIGGER user_behavior_analytics_search_score AFTER INSERT ON user_behavior_analytics
  WHEN new.action_type = 'search' AND new.search_keywords IS NOT NULL
    AND (new.action_target IS NULL OR new.action_target <> 'results:0') BEGIN
  INSERT INTO search_counts_daily
      (tenant_id, keywords, day, searches, offset_sum, first_at, last_at, min_customer, max_customer)
    SELECT new.tenant_id, keywords, new.created_at / 86400000, 1, new.created_at % 86400000,
           new.created_at, new.created_at, new.customer_id, new.customer_id
      FROM (SELECT selfservice_keywords(new.search_keywords) AS keywords) WHERE keywords <> ''
    ON CONFLICT (tenant_id, keywords, day) DO UPDATE SET
      searches = searches + 1, offset_sum = offset_sum + excluded.offset_sum,
      first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
      min_customer = min(min_customer, excluded.min_customer),
      max_customer = max(max_customer, excluded.max_customer);
  INSERT INTO search_keyword_scores
      (tenant_id, keywords, searches, first_at, last_at, min_customer, max_customer, day_score, week_score)
    SELECT new.tenant_id, keywords, 1, new.created_at, new.created_at, new.customer_id, new.customer_id,
           new.created_at / 86400000.0, new.created_at / 604800000.0
      FROM (SELECT selfservice_keywords(new.search_keywords) AS keywords) WHERE keywords <> ''
    ON CONFLICT (tenant_id, keywords) DO UPDATE SET
      searches = searches + 1,
      first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
      min_customer = min(min_customer, excluded.min_customer),
      max_customer = max(max_customer, excluded.max_customer),
      day_score = selfservice_log2_add(day_score, excluded.day_score),
      week_score = selfservice_log2_add(week_score, excluded.week_score);
END;
INSERT INTO search_counts_daily
    (tenant_id, keywords, day, searches, offset_sum, first_at, last_at, min_customer, max_customer)
  SELECT tenant_id, keywords, hour / 24, sum(searches), sum(offset_sum + searches * (hour % 24) * 3600000),
         min(first_at), max(last_at), min(min_customer), max(max_customer)
    FROM search_counts
   GROUP BY tenant_id, keywords, hour / 24;
INSERT INTO search_keyword_scores
    (tenant_id, keywords, searches, first_at, last_at, min_customer, max_customer, day_score, week_score)
  SELECT tenant_id, keywords, sum(searches), min(first_at), max(last_at), min(min_customer), max(max_customer),
         selfservice_log2_sum((hour * 3600000 + offset_sum * 1.0 / searches) / 86400000.0, searches),
         selfservice_log2_sum((hour * 3600000 + offset_sum * 1.0 / searches) / 604800000.0, searches)
    FROM search_counts
   GROUP BY tenant_id, keywords;
)sql",
    // 11: the outbox (OutboxRepository): calls to remote systems that must happen at least once,
    // kept until delivered or abandoned; an idempotency key is unique per tenant and topic, and the
    // relay finds a tenant's due items by the partial index.
    R"sql(
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL CHECK (tenant_id > 0),
  topic           TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 64),
  idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  payload         TEXT NOT NULL CHECK (length(CAST(payload AS BLOB)) <= 65536),
  attempts        INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  abandoned       INTEGER NOT NULL CHECK (abandoned = 0 OR abandoned = 1),
  UNIQUE (tenant_id, topic, idempotency_key)
);
CREATE INDEX outbox_due ON outbox (tenant_id, next_attempt_at) WHERE delivered_at IS NULL AND abandoned = 0;
)sql",
    // 12: tickets (TicketRepository, docs/TICKETS.md), their history and their users' drafts. An
    // idempotency key is unique per tenant and user (the partial index), so concurrent creations
    // with one key store one ticket. The list's filters each have an index per visibility, ordered
    // by creation as the list is; the keyword is found through a trigram FTS5 index of title and
    // description (substrings of 3 or more characters), kept in step by triggers.
    R"sql(
CREATE TABLE tickets (
  id              INTEGER PRIMARY KEY,
  tenant_id       INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id     INTEGER NOT NULL,
  user_id         INTEGER NOT NULL,
  external_id     TEXT CHECK (length(external_id) <= 100),
  session_id      TEXT CHECK (length(session_id) <= 64),
  title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description     TEXT NOT NULL,
  category        TEXT CHECK (length(category) <= 100),
  priority        INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 3),
  status          TEXT NOT NULL DEFAULT 'new'
                    CHECK (status = 'new' OR status = 'open' OR status = 'in_progress' OR
                           status = 'pending_customer' OR status = 'resolved' OR status = 'closed' OR
                           status = 'reopened'),
  contact_email   TEXT CHECK (length(contact_email) <= 255),
  contact_phone   TEXT CHECK (length(contact_phone) <= 20),
  idempotency_key TEXT CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  closed_at       INTEGER
);
CREATE UNIQUE INDEX tickets_idempotency ON tickets (tenant_id, user_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX tickets_tenant_created ON tickets (tenant_id, created_at);
CREATE INDEX tickets_tenant_status_created ON tickets (tenant_id, status, created_at);
CREATE INDEX tickets_tenant_status_category_created ON tickets (tenant_id, status, category, created_at);
CREATE INDEX tickets_tenant_category_created ON tickets (tenant_id, category, created_at);
CREATE INDEX tickets_customer_created ON tickets (tenant_id, customer_id, created_at);
CREATE INDEX tickets_customer_status_created ON tickets (tenant_id, customer_id, status, created_at);
CREATE INDEX tickets_user_created ON tickets (tenant_id, user_id, created_at);

CREATE VIRTUAL TABLE tickets_fts USING fts5(
  title, description, content = 'tickets', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO tickets_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description ON tickets BEGIN
  INSERT INTO tickets_fts (tickets_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
  INSERT INTO tickets_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE TABLE ticket_events (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL CHECK (tenant_id > 0),
  ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
  event_type  TEXT NOT NULL CHECK (event_type = 'created' OR event_type = 'status_changed' OR
                                   event_type = 'comment' OR event_type = 'attachment_added' OR
                                   event_type = 'assigned'),
  from_status TEXT CHECK (from_status = 'new' OR from_status = 'open' OR from_status = 'in_progress' OR
                          from_status = 'pending_customer' OR from_status = 'resolved' OR
                          from_status = 'closed' OR from_status = 'reopened'),
  to_status   TEXT CHECK (to_status = 'new' OR to_status = 'open' OR to_status = 'in_progress' OR
                          to_status = 'pending_customer' OR to_status = 'resolved' OR
                          to_status = 'closed' OR to_status = 'reopened'),
  comment     TEXT,
  actor_id    INTEGER,
  created_at  INTEGER NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE ticket_drafts (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id   INTEGER NOT NULL,
  user_id       INTEGER NOT NULL,
  title         TEXT CHECK (length(title) <= 200),
  description   TEXT,
  category      TEXT CHECK (length(category) <= 100),
  priority      INTEGER CHECK (priority BETWEEN 1 AND 3),
  contact_email TEXT CHECK (length(contact_email) <= 255),
  contact_phone TEXT CHECK (length(contact_phone) <= 20),
  session_id    TEXT CHECK (length(session_id) <= 64),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX ticket_drafts_user ON ticket_drafts (tenant_id, user_id, updated_at);
)sql",
    // 13: resumable uploads and ticket attachments (AttachmentRepository; docs/ATTACHMENTS.md).
    // An upload's committed_bytes never exceeds what its work blob durably holds; an attachment
    // row is written only once its blob is in place, and carries the ticket owner's customer and
    // user so the row-level scope of the ticket applies to it.
    R"sql(
CREATE TABLE uploads (
  id              INTEGER PRIMARY KEY,
  upload_id       TEXT NOT NULL UNIQUE CHECK (length(upload_id) = 32),
  tenant_id       INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id     INTEGER NOT NULL,
  user_id         INTEGER NOT NULL,
  target          TEXT NOT NULL CHECK (target = 'ticket' OR target = 'document'),
  ticket_id       INTEGER CHECK ((target = 'ticket') = (ticket_id IS NOT NULL)),
  file_name       TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type    TEXT NOT NULL CHECK (length(content_type) BETWEEN 1 AND 100),
  size_bytes      INTEGER NOT NULL CHECK (size_bytes >= 0),
  committed_bytes INTEGER NOT NULL CHECK (committed_bytes BETWEEN 0 AND size_bytes),
  sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
  status          TEXT NOT NULL CHECK (status = 'uploading' OR status = 'complete' OR status = 'failed'),
  part_key        TEXT NOT NULL,
  attachment_id   INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL
);
CREATE INDEX uploads_expiry ON uploads (tenant_id, expires_at);

CREATE TABLE ticket_attachments (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL CHECK (tenant_id > 0),
  ticket_id    INTEGER NOT NULL CHECK (ticket_id > 0),
  customer_id  INTEGER NOT NULL,
  user_id      INTEGER NOT NULL,
  uploaded_by  INTEGER NOT NULL,
  file_name    TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type TEXT NOT NULL CHECK (length(content_type) BETWEEN 1 AND 100),
  size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
  sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
  blob_key     TEXT NOT NULL,
  created_at   INTEGER NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (tenant_id, ticket_id, created_at);
CREATE INDEX ticket_attachments_owner ON ticket_attachments (tenant_id, customer_id, user_id);
)sql",
    // 14: the document center (DocumentRepository). customer_id NULL: for every customer of the
    // tenant; min_role and feature narrow who sees a document (docs/ATTACHMENTS.md).
    R"sql(
CREATE TABLE documents (
  id             INTEGER PRIMARY KEY,
  tenant_id      INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id    INTEGER CHECK (customer_id IS NULL OR customer_id > 0),
  title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description    TEXT,
  category       TEXT CHECK (length(category) <= 100),
  file_name      TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type   TEXT NOT NULL CHECK (length(content_type) BETWEEN 1 AND 100),
  size_bytes     INTEGER NOT NULL CHECK (size_bytes >= 0),
  version        TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 20),
  lang           TEXT CHECK (lang IS NULL OR lang = 'zh' OR lang = 'en'),
  download_count INTEGER NOT NULL DEFAULT 0 CHECK (download_count >= 0),
  status         TEXT NOT NULL CHECK (status = 'draft' OR status = 'published' OR status = 'archived'),
  sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
  blob_key       TEXT NOT NULL,
  min_role       INTEGER NOT NULL CHECK (min_role BETWEEN 1 AND 3),
  feature        TEXT CHECK (length(feature) <= 50),
  published_by   INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX documents_tenant_updated ON documents (tenant_id, updated_at);
CREATE INDEX documents_tenant_category ON documents (tenant_id, category);
)sql",
    // 15: service status (docs/STATUS.md): the tenant's components, every change of their status
    // (what uptime is computed from), incidents with their updates (an Alertmanager alert's open
    // incident is unique per fingerprint) and maintenance windows. Status belongs to the tenant:
    // no customer column.
    R"sql(
CREATE TABLE service_components (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL CHECK (tenant_id > 0),
  name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description TEXT,
  group_name  TEXT CHECK (length(group_name) <= 100),
  status      TEXT NOT NULL CHECK (status = 'operational' OR status = 'degraded_performance' OR
                                   status = 'partial_outage' OR status = 'major_outage' OR
                                   status = 'under_maintenance'),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE TABLE service_status_changes (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL CHECK (tenant_id > 0),
  component_id INTEGER NOT NULL REFERENCES service_components (id) ON DELETE CASCADE,
  status       TEXT NOT NULL,
  changed_at   INTEGER NOT NULL
);
CREATE INDEX service_status_changes_tenant_component_at
  ON service_status_changes (tenant_id, component_id, changed_at);
CREATE TABLE service_incidents (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL CHECK (tenant_id > 0),
  title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  status        TEXT NOT NULL CHECK (status = 'investigating' OR status = 'identified' OR
                                     status = 'monitoring' OR status = 'resolved'),
  impact        TEXT NOT NULL CHECK (impact = 'degraded_performance' OR impact = 'partial_outage' OR
                                     impact = 'major_outage'),
  component_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(component_ids)),
  source        TEXT NOT NULL CHECK (source = 'manual' OR source = 'alertmanager'),
  fingerprint   TEXT CHECK (length(fingerprint) BETWEEN 1 AND 200),
  external_url  TEXT CHECK (length(external_url) <= 1000),
  started_at    INTEGER NOT NULL,
  resolved_at   INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX service_incidents_tenant_started ON service_incidents (tenant_id, started_at);
CREATE UNIQUE INDEX service_incidents_open_fingerprint ON service_incidents (tenant_id, fingerprint)
  WHERE fingerprint IS NOT NULL AND resolved_at IS NULL;
CREATE TABLE service_incident_updates (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL CHECK (tenant_id > 0),
  incident_id INTEGER NOT NULL REFERENCES service_incidents (id) ON DELETE CASCADE,
  status      TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX service_incident_updates_incident ON service_incident_updates (incident_id, created_at);
CREATE TABLE service_maintenance (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL CHECK (tenant_id > 0),
  title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description   TEXT,
  component_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(component_ids)),
  starts_at     INTEGER NOT NULL,
  ends_at       INTEGER NOT NULL CHECK (ends_at > starts_at),
  status        TEXT NOT NULL CHECK (status = 'scheduled' OR status = 'in_progress' OR
                                     status = 'completed' OR status = 'cancelled'),
  created_at    INTEGER NOT NULL
);
CREATE INDEX service_maintenance_tenant_window ON service_maintenance (tenant_id, ends_at, starts_at);
)sql",
    // 16: feedback dimensions and sentiment: the ratings per dimension (a JSON object), who scored
    // the sentiment, and the index feedback.stats reads a tenant's window by.
    R"sql(
ALTER TABLE customer_feedback ADD COLUMN ratings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(ratings));
ALTER TABLE customer_feedback ADD COLUMN sentiment_source TEXT CHECK (length(sentiment_source) <= 32);
CREATE INDEX customer_feedback_tenant_created_at ON customer_feedback (tenant_id, created_at);
)sql",
    // 17: the number of tickets per tenant, customer, user and status, kept exact by triggers in
    // the transaction of every change, so tickets.list's `total` for a filter of status and
    // visibility alone reads one row per user and status instead of one index entry per ticket.
    // Filled from the tickets already stored. And the platform's ticket ids (REQ-003): tickets.sync
    // finds a ticket by its external_id.
    R"sql(
CREATE INDEX tickets_tenant_external_id ON tickets (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE TABLE ticket_counts (
  tenant_id   INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  user_id     INTEGER NOT NULL,
  status      TEXT NOT NULL,
  tickets     INTEGER NOT NULL CHECK (tickets >= 0),
  PRIMARY KEY (tenant_id, customer_id, user_id, status)
) WITHOUT ROWID;
INSERT INTO ticket_counts (tenant_id, customer_id, user_id, status, tickets)
  SELECT tenant_id, customer_id, user_id, status, count(*) FROM tickets
  GROUP BY tenant_id, customer_id, user_id, status;
CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_counts (tenant_id, customer_id, user_id, status, tickets)
    VALUES (new.tenant_id, new.customer_id, new.user_id, new.status, 1)
    ON CONFLICT DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER ticket_counts_update AFTER UPDATE OF tenant_id, customer_id, user_id, status ON tickets
  WHEN old.tenant_id <> new.tenant_id OR old.customer_id <> new.customer_id OR old.user_id <> new.user_id
    OR old.status <> new.status
BEGIN
  UPDATE ticket_counts SET tickets = tickets - 1
    WHERE tenant_id = old.tenant_id AND customer_id = old.customer_id AND user_id = old.user_id
      AND status = old.status;
  INSERT INTO ticket_counts (tenant_id, customer_id, user_id, status, tickets)
    VALUES (new.tenant_id, new.customer_id, new.user_id, new.status, 1)
    ON CONFLICT DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN
  UPDATE ticket_counts SET tickets = tickets - 1
    WHERE tenant_id = old.tenant_id AND customer_id = old.customer_id AND user_id = old.user_id
      AND status = old.status;
END;
)sql",
    // 18: the locale of a ticket's owner at its creation, so the notifications of a move an agent
    // makes speak the owner's language, not the agent's. Tickets stored before have none (zh-CN).
    R"sql(
ALTER TABLE tickets ADD COLUMN locale TEXT CHECK (locale = 'zh-CN' OR locale = 'en-US');
)sql",
    // 19: the ticket service's time of the newest state tickets.sync applied to a ticket (REQ-003),
    // so a webhook that arrives late cannot move the ticket back.
    R"sql(
ALTER TABLE tickets ADD COLUMN remote_updated_at INTEGER;
)sql",
    // 20: accounts and the login state (UserRepository, SessionStore; docs/SECURITY.md). Usernames
    // are unique per tenant through username_key, their ASCII lowercase. email, phone, totp_secret
    // and the sign-in's ip_address and user_agent hold sealed values (sealed_fields.hpp); an e-mail
    // is found by email_index, the keyed blind index of its lowercase, unique per tenant under one
    // key (the repository checks the indexes under every key of the ring before it writes). Login
    // sessions, failure counters and one-time tokens are per tenant, keyed by their random ids,
    // the counted key and the token's SHA-256; none of them holds a password or a token.
    R"sql(
CREATE TABLE users (
  id                   INTEGER PRIMARY KEY,
  tenant_id            INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id          INTEGER NOT NULL CHECK (customer_id > 0),
  username             TEXT NOT NULL CHECK (length(username) BETWEEN 3 AND 64),
  username_key         TEXT NOT NULL CHECK (username_key = lower(username)),
  email                TEXT,
  email_index          TEXT CHECK ((email IS NULL) = (email_index IS NULL)),
  phone                TEXT,
  display_name         TEXT NOT NULL DEFAULT '' CHECK (length(display_name) <= 100),
  roles                INTEGER NOT NULL CHECK (roles BETWEEN 1 AND 7),
  status               TEXT NOT NULL DEFAULT 'active'
                         CHECK (status = 'active' OR status = 'disabled' OR status = 'erased'),
  password_hash        TEXT NOT NULL DEFAULT '' CHECK (length(password_hash) <= 512),
  password_changed_at  INTEGER NOT NULL,
  mfa_method           TEXT CHECK (mfa_method IS NULL OR mfa_method = 'totp' OR mfa_method = 'email'),
  mfa_enabled          INTEGER NOT NULL DEFAULT 0 CHECK (mfa_enabled = 0 OR mfa_enabled = 1),
  totp_secret          TEXT,
  totp_last_step       INTEGER NOT NULL DEFAULT -1 CHECK (totp_last_step >= -1),
  recovery_code_hashes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(recovery_code_hashes)),
  sso_subject          TEXT CHECK (length(sso_subject) BETWEEN 1 AND 512),
  last_login_at        INTEGER,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_tenant_username_key ON users (tenant_id, username_key);
CREATE UNIQUE INDEX users_tenant_email_index ON users (tenant_id, email_index) WHERE email_index IS NOT NULL;
CREATE UNIQUE INDEX users_tenant_sso_subject ON users (tenant_id, sso_subject) WHERE sso_subject IS NOT NULL;
CREATE INDEX users_tenant_customer ON users (tenant_id, customer_id);

CREATE TABLE login_sessions (
  tenant_id      INTEGER NOT NULL CHECK (tenant_id > 0),
  id             TEXT NOT NULL CHECK (length(id) = 32),
  customer_id    INTEGER NOT NULL CHECK (customer_id > 0),
  user_id        INTEGER NOT NULL CHECK (user_id > 0),
  refresh_id     TEXT NOT NULL CHECK (length(refresh_id) BETWEEN 1 AND 64),
  generation     INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0),
  created_at     INTEGER NOT NULL,
  refreshed_at   INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  revoked_at     INTEGER,
  revoked_reason TEXT CHECK (length(revoked_reason) BETWEEN 1 AND 32),
  ip_address     TEXT,
  user_agent     TEXT,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX login_sessions_tenant_user ON login_sessions (tenant_id, user_id);

CREATE TABLE login_failures (
  tenant_id        INTEGER NOT NULL CHECK (tenant_id > 0),
  failure_key      TEXT NOT NULL CHECK (length(failure_key) BETWEEN 1 AND 200),
  failures         INTEGER NOT NULL CHECK (failures >= 1),
  first_failure_at INTEGER NOT NULL,
  locked_until     INTEGER,
  PRIMARY KEY (tenant_id, failure_key)
) WITHOUT ROWID;

CREATE TABLE one_time_tokens (
  tenant_id   INTEGER NOT NULL CHECK (tenant_id > 0),
  purpose     TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 32),
  token_hash  TEXT NOT NULL CHECK (length(token_hash) = 64),
  customer_id INTEGER NOT NULL CHECK (customer_id > 0),
  user_id     INTEGER NOT NULL CHECK (user_id > 0),
  payload     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  PRIMARY KEY (tenant_id, purpose, token_hash)
) WITHOUT ROWID;
CREATE INDEX one_time_tokens_tenant_user ON one_time_tokens (tenant_id, user_id, purpose);
)sql",
    // 21: the audit log (audit_repository.cpp): append-only and hash-chained per tenant. The
    // triggers keep the library itself from altering or removing an entry; someone with the file
    // can drop them, which is what the chain detects. The one update allowed is ip_address to a
    // sealed value ("enc:v1:"): the re-encryption pass moves it to the current key, and the hash
    // covers the plaintext, so the chain still holds. Index entries end in the rowid, so each
    // index below reads its range newest first by id.
    R"sql(
CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id     INTEGER NOT NULL CHECK (tenant_id > 0),
  customer_id   INTEGER CHECK (customer_id > 0),
  actor_user_id INTEGER CHECK (actor_user_id > 0),
  action        TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  outcome       TEXT NOT NULL CHECK (outcome = 'success' OR outcome = 'failure'),
  target        TEXT CHECK (length(target) BETWEEN 1 AND 128),
  details       TEXT NOT NULL CHECK (json_valid(details)),
  ip_address    TEXT,
  trace_id      TEXT NOT NULL CHECK (length(trace_id) <= 128),
  at            INTEGER NOT NULL,
  prev_hash     TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash          TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id);
CREATE INDEX audit_log_tenant_customer ON audit_log (tenant_id, customer_id);
CREATE INDEX audit_log_tenant_action ON audit_log (tenant_id, action);
CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor_user_id);
CREATE TRIGGER audit_log_no_update
  BEFORE UPDATE OF id, tenant_id, customer_id, actor_user_id, action, outcome, target, details, trace_id, at,
                   prev_hash, hash ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_ip_sealed_only BEFORE UPDATE OF ip_address ON audit_log
  WHEN old.ip_address IS NULL OR new.ip_address IS NULL OR substr(new.ip_address, 1, 7) <> 'enc:v1:'
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
)sql",
    // 22: sealed (encrypted) columns beside the plaintext ones (SealedFields, docs/SECURITY.md).
    // The sensitive columns of migrations 1 and 12 each get a partner "<column>_sealed" without a
    // CHECK (those of migrations 20 and 21 have none and hold sealed values in place),
    // because SQLite cannot drop the length() and json_valid() CHECKs the ciphertext would fail
    // (a sealed value is longer than 45 or 20 characters and is not JSON). Storing the sealed text
    // of the JSON columns as a JSON string would pass their CHECK, but one layout for every column
    // keeps reads ("coalesce(<column>_sealed, <column>)") and the re-encryption pass uniform.
    // New rows leave the old column NULL; rows stored before keep their plaintext there, read as
    // it is, until the re-encryption pass moves it into the sealed column.
    R"sql(
ALTER TABLE customer_portal_configs ADD COLUMN contact_info_sealed TEXT;
ALTER TABLE customer_portal_configs ADD COLUMN sso_config_sealed TEXT;
ALTER TABLE customer_portal_configs ADD COLUMN security_settings_sealed TEXT;
ALTER TABLE user_behavior_analytics ADD COLUMN ip_address_sealed TEXT;
ALTER TABLE user_behavior_analytics ADD COLUMN user_agent_sealed TEXT;
ALTER TABLE tickets ADD COLUMN contact_email_sealed TEXT;
ALTER TABLE tickets ADD COLUMN contact_phone_sealed TEXT;
ALTER TABLE ticket_drafts ADD COLUMN contact_email_sealed TEXT;
ALTER TABLE ticket_drafts ADD COLUMN contact_phone_sealed TEXT;
)sql",
    // 23: outbox payloads sealed like the columns of migration 22: they carry what a remote system
    // is told about a ticket (its title, comments, the contact e-mail). The old column keeps the
    // payloads stored before (the re-encryption pass moves them) and '' for new rows, since it
    // is NOT NULL with a length CHECK that a ciphertext could exceed.
    R"sql(
ALTER TABLE outbox ADD COLUMN payload_sealed TEXT;
)sql",
};

constexpr int kVersion = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);

int UserVersion(Connection& connection) {
  Statement stmt = connection.Prepare("PRAGMA user_version");
  stmt.Step();
  return static_cast<int>(stmt.Int(0));
}

}  // namespace

int SchemaVersion() { return kVersion; }

Status Migrate(Connection& connection) { return Migrate(connection, kVersion); }

Status Migrate(Connection& connection, int target) {
  target = std::min(target, kVersion);
  const int current = UserVersion(connection);
  if (current > kVersion) {
    return Status::DatabaseUnavailable(
        "database schema version " + std::to_string(current) + " is newer than this library's " +
            std::to_string(kVersion),
        false);
  }
  for (int version = current; version < target; ++version) {
    connection.Exec("BEGIN IMMEDIATE");
    try {
      // Another process may have migrated while this one waited for the write lock.
      if (UserVersion(connection) > version) {
        connection.Exec("COMMIT");
        continue;
      }
      connection.Exec(kMigrations[version]);
      connection.Exec(("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
      connection.Exec("COMMIT");
    } catch (...) {
      sqlite3_exec(connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  return Status::Ok();
}

}  // namespace selfservice::sqlite
