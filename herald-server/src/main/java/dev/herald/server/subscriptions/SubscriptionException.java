package dev.herald.server.subscriptions;

import dev.herald.event.Violation;
import java.util.List;

/**
 * Why the subscription lifecycle refused an operation. The lifecycle knows nothing of HTTP: the
 * subscriptions API maps each kind to its RFC 9457 problem ({@link SubscriptionProblems}).
 */
public abstract sealed class SubscriptionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    private SubscriptionException(String message, List<Violation> violations, Throwable cause) {
        super(message, cause);
        this.violations = List.copyOf(violations);
    }

    /** The broken rules, each naming its field; empty when the refusal is not about input. */
    public List<Violation> violations() {
        return violations;
    }

    /** A request that breaks the subscription rules; nothing was changed. */
    public static final class Invalid extends SubscriptionException {
        private static final long serialVersionUID = 1L;

        Invalid(List<Violation> violations) {
            super(describe(violations), violations, null);
        }

        private static String describe(List<Violation> violations) {
            StringBuilder detail = new StringBuilder();
            for (Violation violation : violations) {
                if (!detail.isEmpty()) {
                    detail.append("; ");
                }
                detail.append(violation.where()).append(": ").append(violation.rule());
            }
            return detail.toString();
        }
    }

    /** No such subscription (or dead letter) for this caller: it does not exist or may not be seen. */
    public static final class NotFound extends SubscriptionException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message, List.of(), null);
        }
    }

    /** The caller may see the subscription (or ask for it) but not do this to it. */
    public static final class Forbidden extends SubscriptionException {
        private static final long serialVersionUID = 1L;

        Forbidden(String message, List<Violation> violations) {
            super(message, violations, null);
        }
    }

    /** The operation does not fit the subscription's state, protocol or transport. */
    public static final class Conflict extends SubscriptionException {
        private static final long serialVersionUID = 1L;

        /** What conflicts. */
        public enum Reason {
            /** The id is taken. */
            EXISTS,
            /** Herald disabled the subscription; enable it. */
            DISABLED,
            /** The subscription is paused; resume it. */
            PAUSED,
            /** Only webhook subscriptions have this (a signing secret). */
            NOT_WEBHOOK,
            /** Only PULL subscriptions have this (streams, acks). */
            NOT_PULL,
            /** The transport cannot move a position. */
            REPLAY_UNSUPPORTED,
            /** The transport lets one stream read a subscription at a time. */
            STREAM_CONNECTED
        }

        private final Reason reason;

        Conflict(Reason reason, String message) {
            super(message, List.of(), null);
            this.reason = reason;
        }

        /** What conflicts. */
        public Reason reason() {
            return reason;
        }
    }

    /**
     * The caller's token reached one of the {@link SubscriptionLimits}; nothing was changed. The one
     * violation names the setting of the limit, the rule and the caller's current count.
     */
    public static final class LimitReached extends SubscriptionException {
        private static final long serialVersionUID = 1L;

        LimitReached(String setting, String rule, long current, String message) {
            super(message, List.of(new Violation(setting, rule, Long.toString(current))), null);
        }
    }

    /** Delivery could not be started; the subscription is unchanged and trying again is safe. */
    public static final class Unavailable extends SubscriptionException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, List.of(), cause);
        }
    }
}
