package dev.herald.transport.nsq;

/**
 * A {@code host:port} address, as nsqd's and nsqlookupd's addresses are written.
 *
 * @param host name or IP address
 * @param port 1 to 65535
 */
record HostPort(String host, int port) {

    HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1 to 65535: " + port);
        }
    }

    /**
     * Parses {@code host:port} ({@code [v6]:port} for IPv6).
     *
     * @throws IllegalArgumentException naming the text and the rule
     */
    static HostPort parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("address must be host:port: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address must be host:port with a numeric port: " + text, e);
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
