package dev.herald.server.subscriptions;

import dev.herald.dispatch.DeliveryPolicy;
import dev.herald.filter.SqlLimits;
import dev.herald.server.config.ServerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Server-wide settings of the subscriptions API, webhook delivery and streaming pull. Start from
 * {@link #defaults()}:
 * <pre>{@code
 * SubscriptionSettings settings = SubscriptionSettings.defaults().toBuilder()
 *     .ssrfAllowList(List.of("10.20.0.0/16", "hooks.internal"))
 *     .webhookTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(15))
 *     .build();
 * }</pre>
 *
 * @param defaultTopic               the topic a subscription reads unless its {@code config.topic} says
 *                                   otherwise (default {@code events})
 * @param webhookConnectTimeout      longest wait for a connection to a sink (default 10 s)
 * @param webhookReadTimeout         longest wait for a sink's response (default 10 s)
 * @param ssrfGuard                  refuse sinks resolving to non-public addresses (default on)
 * @param ssrfAllowList              host names ({@code hooks.internal}, {@code *.corp.example}), addresses
 *                                   or CIDR ranges exempt from the SSRF guard (default none)
 * @param requireHttps               refuse {@code http://} sinks (default off)
 * @param autoDisableAfterFailures   consecutive failed attempts after which a webhook subscription is
 *                                   disabled; 0 = never (default 100)
 * @param autoDisableAfterFailingFor a webhook subscription failing without a single success for this
 *                                   long is disabled (default 5 days)
 * @param secretRotationGrace        how long the previous secret keeps signing after a rotation
 *                                   (default 24 h)
 * @param pullAckDeadline            default time a streaming-pull client has to ack an event before it
 *                                   is delivered again (default 60 s)
 * @param sseKeepAlive               interval of keep-alive comments on idle streams (default 15 s)
 * @param pullMaxOutstanding         default limit of un-acked events per stream (default 1000)
 * @param ephemeralTtl               an ephemeral pull subscription (the CLI's {@code tail}) without a
 *                                   connected stream for this long is deleted (default 10 min)
 * @param defaultPolicy              delivery policy fields a subscription leaves out
 * @param sqlLimits                  bounds on a {@code sql} filter a client sends (length, depth, wildcards)
 * @param limits                     what one token may hold (subscriptions, streams, un-acked events) and
 *                                   when unread PULL subscriptions expire
 * @param clock                      the time source (tests)
 */
public record SubscriptionSettings(String defaultTopic, Duration webhookConnectTimeout, Duration webhookReadTimeout,
                                   boolean ssrfGuard, List<String> ssrfAllowList, boolean requireHttps,
                                   int autoDisableAfterFailures, Duration autoDisableAfterFailingFor,
                                   Duration secretRotationGrace, Duration pullAckDeadline, Duration sseKeepAlive,
                                   int pullMaxOutstanding, Duration ephemeralTtl, DeliveryPolicy defaultPolicy,
                                   SqlLimits sqlLimits, SubscriptionLimits limits, Clock clock) {

    public SubscriptionSettings {
        Objects.requireNonNull(defaultTopic, "defaultTopic");
        requirePositive(webhookConnectTimeout, "webhookConnectTimeout");
        requirePositive(webhookReadTimeout, "webhookReadTimeout");
        ssrfAllowList = List.copyOf(ssrfAllowList);
        requirePositive(autoDisableAfterFailingFor, "autoDisableAfterFailingFor");
        Objects.requireNonNull(secretRotationGrace, "secretRotationGrace");
        requirePositive(pullAckDeadline, "pullAckDeadline");
        requirePositive(sseKeepAlive, "sseKeepAlive");
        requirePositive(ephemeralTtl, "ephemeralTtl");
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        Objects.requireNonNull(sqlLimits, "sqlLimits");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(clock, "clock");
        if (autoDisableAfterFailures < 0 || pullMaxOutstanding < 1) {
            throw new IllegalArgumentException("autoDisableAfterFailures must be >= 0 and pullMaxOutstanding >= 1");
        }
    }

    /** The documented defaults. */
    public static SubscriptionSettings defaults() {
        return new SubscriptionSettings("events", Duration.ofSeconds(10), Duration.ofSeconds(10), true, List.of(),
                false, 100, Duration.ofDays(5), Duration.ofHours(24), Duration.ofSeconds(60),
                Duration.ofSeconds(15), 1000, Duration.ofMinutes(10), DeliveryPolicy.DEFAULT, SqlLimits.DEFAULTS,
                SubscriptionLimits.DEFAULTS, Clock.systemUTC());
    }

    /** The defaults with the server configuration's {@code webhooks.*}, {@code pull.*} and {@code limits.*} settings. */
    public static SubscriptionSettings from(ServerConfig config) {
        SubscriptionSettings d = defaults();
        return new SubscriptionSettings(d.defaultTopic(), config.get(ServerConfig.WEBHOOKS_CONNECT_TIMEOUT), config.get(ServerConfig.WEBHOOKS_TIMEOUT),
                config.get(ServerConfig.WEBHOOKS_SSRF_GUARD), config.get(ServerConfig.WEBHOOKS_SSRF_ALLOW), config.get(ServerConfig.WEBHOOKS_REQUIRE_HTTPS),
                config.get(ServerConfig.WEBHOOKS_DISABLE_AFTER_FAILURES), config.get(ServerConfig.WEBHOOKS_DISABLE_AFTER_FAILING_FOR),
                config.get(ServerConfig.WEBHOOKS_SECRET_ROTATION_GRACE), config.get(ServerConfig.PULL_ACK_DEADLINE), d.sseKeepAlive(),
                Math.min(d.pullMaxOutstanding(), config.get(ServerConfig.LIMITS_MAX_OUTSTANDING)), d.ephemeralTtl(),
                d.defaultPolicy(),
                new SqlLimits(config.get(ServerConfig.FILTERS_SQL_MAX_LENGTH), config.get(ServerConfig.FILTERS_SQL_MAX_DEPTH),
                        config.get(ServerConfig.FILTERS_SQL_MAX_WILDCARDS)),
                new SubscriptionLimits(config.get(ServerConfig.LIMITS_SUBSCRIPTIONS_PER_TOKEN),
                        config.get(ServerConfig.LIMITS_STREAMS_PER_TOKEN), config.get(ServerConfig.LIMITS_MAX_OUTSTANDING),
                        config.get(ServerConfig.PULL_EXPIRE_AFTER)), d.clock());
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
    }

    /** Changes some settings. */
    public static final class Builder {
        private String defaultTopic;
        private Duration webhookConnectTimeout;
        private Duration webhookReadTimeout;
        private boolean ssrfGuard;
        private List<String> ssrfAllowList;
        private boolean requireHttps;
        private int autoDisableAfterFailures;
        private Duration autoDisableAfterFailingFor;
        private Duration secretRotationGrace;
        private Duration pullAckDeadline;
        private Duration sseKeepAlive;
        private int pullMaxOutstanding;
        private Duration ephemeralTtl;
        private DeliveryPolicy defaultPolicy;
        private SqlLimits sqlLimits;
        private SubscriptionLimits limits;
        private Clock clock;

        private Builder(SubscriptionSettings from) {
            defaultTopic = from.defaultTopic;
            webhookConnectTimeout = from.webhookConnectTimeout;
            webhookReadTimeout = from.webhookReadTimeout;
            ssrfGuard = from.ssrfGuard;
            ssrfAllowList = from.ssrfAllowList;
            requireHttps = from.requireHttps;
            autoDisableAfterFailures = from.autoDisableAfterFailures;
            autoDisableAfterFailingFor = from.autoDisableAfterFailingFor;
            secretRotationGrace = from.secretRotationGrace;
            pullAckDeadline = from.pullAckDeadline;
            sseKeepAlive = from.sseKeepAlive;
            pullMaxOutstanding = from.pullMaxOutstanding;
            ephemeralTtl = from.ephemeralTtl;
            defaultPolicy = from.defaultPolicy;
            sqlLimits = from.sqlLimits;
            limits = from.limits;
            clock = from.clock;
        }

        public Builder defaultTopic(String topic) {
            this.defaultTopic = topic;
            return this;
        }

        public Builder webhookTimeouts(Duration connect, Duration read) {
            this.webhookConnectTimeout = connect;
            this.webhookReadTimeout = read;
            return this;
        }

        public Builder ssrfGuard(boolean on) {
            this.ssrfGuard = on;
            return this;
        }

        public Builder ssrfAllowList(List<String> entries) {
            this.ssrfAllowList = entries;
            return this;
        }

        public Builder requireHttps(boolean required) {
            this.requireHttps = required;
            return this;
        }

        public Builder autoDisable(int afterFailures, Duration afterFailingFor) {
            this.autoDisableAfterFailures = afterFailures;
            this.autoDisableAfterFailingFor = afterFailingFor;
            return this;
        }

        public Builder secretRotationGrace(Duration grace) {
            this.secretRotationGrace = grace;
            return this;
        }

        public Builder pullAckDeadline(Duration deadline) {
            this.pullAckDeadline = deadline;
            return this;
        }

        public Builder sseKeepAlive(Duration interval) {
            this.sseKeepAlive = interval;
            return this;
        }

        public Builder pullMaxOutstanding(int events) {
            this.pullMaxOutstanding = events;
            return this;
        }

        public Builder ephemeralTtl(Duration ttl) {
            this.ephemeralTtl = ttl;
            return this;
        }

        public Builder defaultPolicy(DeliveryPolicy policy) {
            this.defaultPolicy = policy;
            return this;
        }

        public Builder sqlLimits(SqlLimits newSqlLimits) {
            this.sqlLimits = newSqlLimits;
            return this;
        }

        public Builder limits(SubscriptionLimits newLimits) {
            this.limits = newLimits;
            return this;
        }

        public Builder clock(Clock newClock) {
            this.clock = newClock;
            return this;
        }

        public SubscriptionSettings build() {
            return new SubscriptionSettings(defaultTopic, webhookConnectTimeout, webhookReadTimeout, ssrfGuard,
                    ssrfAllowList, requireHttps, autoDisableAfterFailures, autoDisableAfterFailingFor,
                    secretRotationGrace, pullAckDeadline, sseKeepAlive, pullMaxOutstanding, ephemeralTtl,
                    defaultPolicy, sqlLimits, limits, clock);
        }
    }
}
