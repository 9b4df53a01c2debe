package dev.herald.transport.rabbitmq;

import java.util.regex.Pattern;

/**
 * The names of everything Herald declares on the broker, all under one prefix:
 * <ul>
 *   <li>{@code <p>.topic.<topic>}: a topic's durable fanout exchange, and {@code <p>.topic.<topic>.log} the
 *       stream bound to it that keeps the topic's history for replay;</li>
 *   <li>{@code <p>.sub.<name>}: a subscription's quorum queue; {@code .dead} its dead letters; {@code .wait.<ms>}
 *       the queue events wait in for a delivery delay; {@code .retry.<ms>} the queues nacked events wait in;
 *       for an ordered subscription, {@code .hash} its consistent-hash exchange and {@code .shard.<i>} its
 *       queues instead of the one queue;</li>
 *   <li>{@code <p>.subscriptions}: the stream of subscription definitions.</li>
 * </ul>
 */
record Names(String prefix) {

    /** Topic and subscription names: they become parts of queue names (at most 255 bytes). */
    static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,160}");

    static String requireLegal(String what, String name) {
        if (name == null || !LEGAL.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be 1 to 160 letters, digits, '.', '_' or '-': " + name);
        }
        return name;
    }

    String exchange(String topic) {
        return prefix + ".topic." + topic;
    }

    String stream(String topic) {
        return exchange(topic) + ".log";
    }

    String queue(String subscription) {
        return prefix + ".sub." + subscription;
    }

    String hash(String subscription) {
        return queue(subscription) + ".hash";
    }

    String shard(String subscription, int index) {
        return queue(subscription) + ".shard." + index;
    }

    String deadLetters(String subscription) {
        return queue(subscription) + ".dead";
    }

    String wait(String subscription, long millis) {
        return queue(subscription) + ".wait." + millis;
    }

    String retry(String subscription, long millis) {
        return queue(subscription) + ".retry." + millis;
    }

    String registry() {
        return prefix + ".subscriptions";
    }
}
