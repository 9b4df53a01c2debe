package dev.herald.server.subscriptions;

import dev.herald.server.http.Problem;

/** The HTTP side of {@link SubscriptionException}: one RFC 9457 problem for each kind. */
final class SubscriptionProblems {

    private SubscriptionProblems() {
    }

    static Problem of(SubscriptionException e) {
        return switch (e) {
            case SubscriptionException.Invalid invalid ->
                    new Problem(400, "Invalid subscription", invalid.getMessage(), invalid.violations());
            case SubscriptionException.NotFound notFound -> new Problem(404, "Not found", notFound.getMessage());
            case SubscriptionException.Forbidden forbidden ->
                    new Problem(403, "Forbidden", forbidden.getMessage(), forbidden.violations());
            case SubscriptionException.Conflict conflict -> new Problem(409, title(conflict.reason()),
                    conflict.getMessage());
            case SubscriptionException.LimitReached limit ->
                    new Problem(429, "Limit reached", limit.getMessage(), limit.violations());
            case SubscriptionException.Unavailable unavailable ->
                    new Problem(503, "Cannot start delivery", unavailable.getMessage());
        };
    }

    private static String title(SubscriptionException.Conflict.Reason reason) {
        return switch (reason) {
            case EXISTS -> "Subscription exists";
            case DISABLED -> "Subscription disabled";
            case PAUSED -> "Subscription paused";
            case NOT_WEBHOOK -> "Not a webhook";
            case NOT_PULL -> "Not a PULL subscription";
            case REPLAY_UNSUPPORTED -> "Replay not supported";
            case STREAM_CONNECTED -> "Stream already connected";
        };
    }
}
