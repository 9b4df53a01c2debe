package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;

/**
 * Where a copy of an event goes to re-enter a subscription (replay, redrive): straight into its queue, or, for
 * an ordered subscription, through its consistent-hash exchange keyed by the ordering key the message was
 * published with ({@link Messages#ORDERING_KEY}), so that it lands in the shard that holds its key.
 *
 * @param exchange the exchange to publish to; empty for the default exchange
 * @param queue    the queue the default exchange routes to, or null to route by ordering key
 */
record Target(String exchange, String queue) {

    static Target queue(String name) {
        return new Target("", name);
    }

    static Target byKey(String exchange) {
        return new Target(exchange, null);
    }

    Publisher.Outgoing message(AMQP.BasicProperties props, byte[] body) {
        String routingKey = queue != null ? queue : Messages.orderingKey(props);
        return new Publisher.Outgoing(exchange, routingKey, props, body);
    }
}
