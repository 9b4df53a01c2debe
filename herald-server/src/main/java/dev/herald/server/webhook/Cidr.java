package dev.herald.server.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IP address range such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a range of one.
 *
 * @param network      the range's first address
 * @param prefixLength how many leading bits are fixed
 */
public record Cidr(InetAddress network, int prefixLength) {

    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + bits + ", got " + prefixLength);
        }
    }

    /**
     * Parses {@code address} or {@code address/prefix} (IPv4 or IPv6, IPv6 optionally in brackets).
     * Only literals are accepted: no name is ever resolved here.
     *
     * @throws IllegalArgumentException when the text is not an address range
     */
    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        InetAddress network = literal(address)
                .orElseThrow(() -> new IllegalArgumentException("not an IP address or CIDR range: " + text));
        int bits = network.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR prefix length: " + text);
            }
        }
        return new Cidr(network, prefix);
    }

    /** The address if the text is an IPv4 or IPv6 literal (brackets allowed), without any DNS lookup. */
    static java.util.Optional<InetAddress> literal(String text) {
        String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = host.contains(":") && host.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
        if (!ipv4 && !ipv6) {
            return java.util.Optional.empty();
        }
        if (ipv4) {
            for (String part : host.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return java.util.Optional.empty();
                }
            }
        }
        try {
            // For a literal, getByName parses and never queries DNS.
            return java.util.Optional.of(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return java.util.Optional.empty();
        }
    }

    /** Whether the address lies in this range (an IPv4 address never lies in an IPv6 range, and back). */
    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        byte[] base = network.getAddress();
        if (candidate.length != base.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != base[i]) {
                return false;
            }
        }
        int remaining = prefixLength % 8;
        if (remaining == 0) {
            return true;
        }
        int mask = (0xFF << (8 - remaining)) & 0xFF;
        return (candidate[fullBytes] & mask) == (base[fullBytes] & mask);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
