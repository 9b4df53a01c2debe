package dev.herald.transport.nsq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP APIs of nsqd ({@code /channel/create}, {@code /channel/delete}, {@code /topic/delete}, {@code /stats}) and
 * nsqlookupd ({@code /lookup}). Both answer JSON; versions before 1.0 wrapped it in {@code {"data": …}}, which is
 * unwrapped here.
 */
final class NsqHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NsqOptions options;
    private final HttpClient client;

    NsqHttp(NsqOptions options) {
        this.options = options;
        this.client = HttpClient.newBuilder().connectTimeout(options.connectTimeout()).build();
    }

    /** Creates the topic (if missing) and the channel on nsqd, so that it keeps every message published from now on. */
    void createChannel(String topic, String channel) {
        post("/channel/create?topic=" + encode(topic) + "&channel=" + encode(channel), false);
    }

    /** Deletes a channel with its messages; a channel or topic that does not exist is fine. */
    void deleteChannel(String topic, String channel) {
        post("/channel/delete?topic=" + encode(topic) + "&channel=" + encode(channel), true);
    }

    /** Deletes a topic with its channels; a topic that does not exist is fine. */
    void deleteTopic(String topic) {
        post("/topic/delete?topic=" + encode(topic), true);
    }

    /**
     * A channel's counts on nsqd: the topic's messages not yet copied to channels, plus the channel's waiting,
     * in-flight and deferred messages.
     */
    ChannelDepth depth(String topic, String channel) {
        JsonNode stats = get(URI.create("http://" + options.nsqdHttp() + "/stats?format=json&topic=" + encode(topic)
                + "&channel=" + encode(channel)), "nsqd " + options.nsqdHttp());
        for (JsonNode t : stats.path("topics")) {
            if (!topic.equals(t.path("topic_name").asText())) {
                continue;
            }
            for (JsonNode c : t.path("channels")) {
                if (channel.equals(c.path("channel_name").asText())) {
                    long inFlight = c.path("in_flight_count").asLong();
                    return new ChannelDepth(t.path("depth").asLong() + c.path("depth").asLong()
                            + c.path("deferred_count").asLong() + inFlight, inFlight);
                }
            }
        }
        return new ChannelDepth(0, 0);
    }

    /**
     * The nsqd TCP addresses nsqlookupd knows for a topic ({@code broadcast_address:tcp_port} of each producer);
     * a lookupd that does not know the topic (404) names none.
     */
    Set<String> lookup(String topic) {
        Set<String> addresses = new LinkedHashSet<>();
        for (String lookupd : options.lookupd()) {
            URI uri = URI.create("http://" + lookupd + "/lookup?topic=" + encode(topic));
            JsonNode answer = getOrNull(uri, "nsqlookupd " + lookupd);
            if (answer == null) {
                continue;
            }
            for (JsonNode producer : answer.path("producers")) {
                addresses.add(new HostPort(producer.path("broadcast_address").asText(),
                        producer.path("tcp_port").asInt()).toString());
            }
        }
        return addresses;
    }

    /** The channel counts read from {@code /stats}. */
    record ChannelDepth(long backlog, long inFlight) {
    }

    private void post(String pathAndQuery, boolean notFoundIsFine) {
        URI uri = URI.create("http://" + options.nsqdHttp() + pathAndQuery);
        HttpResponse<String> response = exchange(HttpRequest.newBuilder(uri).timeout(options.connectTimeout())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), "nsqd " + options.nsqdHttp());
        if (response.statusCode() / 100 == 2 || (notFoundIsFine && response.statusCode() == 404)) {
            return;
        }
        throw new TransportException("nsqd " + options.nsqdHttp() + " refused POST " + pathAndQuery + ": HTTP "
                + response.statusCode() + " " + response.body());
    }

    private JsonNode get(URI uri, String what) {
        JsonNode node = getOrNull(uri, what);
        if (node == null) {
            throw new TransportException(what + " answered 404 to " + uri);
        }
        return node;
    }

    private JsonNode getOrNull(URI uri, String what) {
        HttpResponse<String> response = exchange(HttpRequest.newBuilder(uri).timeout(options.connectTimeout()).GET().build(), what);
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() / 100 != 2) {
            throw new TransportException(what + " answered HTTP " + response.statusCode() + " to " + uri + ": " + response.body());
        }
        try {
            JsonNode node = JSON.readTree(response.body());
            return node.has("data") && node.has("status_code") ? node.get("data") : node;
        } catch (IOException e) {
            throw new TransportException(what + " answered malformed JSON to " + uri + ": " + e.getMessage(), e);
        }
    }

    private HttpResponse<String> exchange(HttpRequest request, String what) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TransportException("cannot reach " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while calling " + what, e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Every address, the configured nsqd first. */
    List<String> nsqdAddresses(String topic) {
        List<String> all = new ArrayList<>();
        all.add(options.nsqd());
        for (String found : lookup(topic)) {
            if (!all.contains(found)) {
                all.add(found);
            }
        }
        return all;
    }
}
