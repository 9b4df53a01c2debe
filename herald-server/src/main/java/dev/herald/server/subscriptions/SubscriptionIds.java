package dev.herald.server.subscriptions;

import dev.herald.event.EventIds;

/** Generated subscription ids: {@code sub_} and a time-ordered UUID, so that listing by id lists by age. */
final class SubscriptionIds {

    private SubscriptionIds() {
    }

    static String next() {
        return "sub_" + EventIds.next().replace("-", "").toLowerCase(java.util.Locale.ROOT);
    }
}
