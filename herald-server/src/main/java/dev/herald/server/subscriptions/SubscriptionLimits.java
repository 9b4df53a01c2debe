package dev.herald.server.subscriptions;

import java.time.Duration;
import java.util.Objects;

/**
 * What one token may hold, so that no subscriber can make the server keep unbounded state or events
 * for it. Each limit is a setting of {@code herald serve} ({@code limits.*}, {@code pull.expire-after});
 * a request over a limit is refused with a 4xx problem naming the setting. The limits apply to every
 * token, admins included: an admin token is as easy to leak or misuse from a script as any other, and
 * an operator who needs more raises the setting rather than relying on an exemption.
 *
 * @param subscriptionsPerToken most subscriptions a token may have created and not deleted (default 100)
 * @param streamsPerToken       most streaming-pull connections a token may hold open at once (default 10)
 * @param maxOutstanding        largest {@code maxOutstanding} a stream may ask for (default 10,000), so a
 *                              token holds at most {@code streamsPerToken × maxOutstanding} un-acked events
 * @param pullExpireAfter       a PULL subscription that no stream has read (connected, acked or nacked)
 *                              for this long is deleted; zero = never (default 31 days, as Pub/Sub)
 */
public record SubscriptionLimits(int subscriptionsPerToken, int streamsPerToken, int maxOutstanding,
                                 Duration pullExpireAfter) {

    /** The documented defaults. */
    public static final SubscriptionLimits DEFAULTS = new SubscriptionLimits(100, 10, 10_000, Duration.ofDays(31));

    public SubscriptionLimits {
        if (subscriptionsPerToken < 1 || streamsPerToken < 1 || maxOutstanding < 1) {
            throw new IllegalArgumentException("subscriptionsPerToken, streamsPerToken and maxOutstanding must be "
                    + "positive");
        }
        Objects.requireNonNull(pullExpireAfter, "pullExpireAfter");
        if (pullExpireAfter.isNegative()) {
            throw new IllegalArgumentException("pullExpireAfter must not be negative: " + pullExpireAfter);
        }
    }

    /** Whether unread PULL subscriptions expire at all. */
    public boolean pullExpires() {
        return !pullExpireAfter.isZero();
    }
}
