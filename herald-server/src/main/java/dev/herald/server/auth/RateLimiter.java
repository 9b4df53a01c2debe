package dev.herald.server.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-token token buckets: each token may make {@code burst} requests at once and then
 * {@code perSecond} requests per second. A refused request learns how long to wait.
 */
public final class RateLimiter {

    private final double perNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perSecond requests per second per key; 0 or less means unlimited
     * @param burst     the bucket size
     */
    public RateLimiter(double perSecond, int burst) {
        this(perSecond, burst, System::nanoTime);
    }

    RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
        this.perNano = perSecond / TimeUnit.SECONDS.toNanos(1);
        this.burst = Math.max(1, burst);
        this.nanoClock = nanoClock;
    }

    /** Whether any limit applies. */
    public boolean enabled() {
        return perNano > 0;
    }

    /**
     * Takes one request from {@code key}'s bucket.
     *
     * @return 0 when the request may go ahead, else the nanoseconds until it would be allowed
     */
    public long tryAcquire(String key) {
        if (!enabled()) {
            return 0;
        }
        return buckets.computeIfAbsent(key, k -> new Bucket(burst, nanoClock.getAsLong())).take(nanoClock.getAsLong());
    }

    /**
     * How long until {@code key}'s bucket holds a request again, without taking one.
     *
     * @return 0 when a request would go ahead now
     */
    public long waitNanos(String key) {
        Bucket bucket = enabled() ? buckets.get(key) : null;
        return bucket == null ? 0 : bucket.waitNanos(nanoClock.getAsLong());
    }

    /** Forgets a key (a revoked token). */
    public void forget(String key) {
        buckets.remove(key);
    }

    private final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized long take(long now) {
            tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perNano);
        }

        synchronized long waitNanos(long now) {
            double available = Math.min(burst, tokens + (now - refilledAt) * perNano);
            return available >= 1 ? 0 : (long) Math.ceil((1 - available) / perNano);
        }
    }
}
