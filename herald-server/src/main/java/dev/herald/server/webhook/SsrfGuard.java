package dev.herald.server.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps webhooks from reaching into the server's own network (server-side request forgery): a sink
 * host is resolved and every address it resolves to must be a public unicast address, unless the
 * allow-list names the host or a range holding the address. Checked when a subscription is created
 * or updated, and again for every connection a delivery opens — on the very addresses the connection
 * is then made to ({@link #resolve}), because DNS answers change (rebinding).
 *
 * <p>Refused: unspecified and "this network" ({@code 0.0.0.0/8}, {@code ::}), loopback
 * ({@code 127.0.0.0/8}, {@code ::1}), private ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16},
 * {@code fc00::/7}), shared CGNAT space ({@code 100.64/10}), link-local ({@code 169.254/16} with the
 * cloud metadata address {@code 169.254.169.254}, {@code fe80::/10}), multicast ({@code 224/4},
 * {@code ff00::/8}), reserved and broadcast ({@code 240/4}), IETF protocol assignments
 * ({@code 192.0.0/24}), benchmarking ({@code 198.18/15}), site-local {@code fec0::/10}, discard-only
 * {@code 100::/64}, and IPv6 forms embedding an IPv4 address (mapped, compatible, NAT64
 * {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) whose IPv4 address is refused.
 *
 * <p>Allow-list entries are host names ({@code hooks.internal}, or {@code *.corp.example} for every
 * subdomain), IP addresses, or CIDR ranges ({@code 10.20.0.0/16}, {@code fd00::/8}).
 */
public final class SsrfGuard {

    /** Resolves a host name to its addresses (the JVM's resolver by default; replaceable in tests). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final java.util.regex.Pattern NUMERIC = java.util.regex.Pattern.compile("[0-9.]+");

    private final boolean enabled;
    private final List<String> allowedHosts;
    private final List<String> allowedDomains;
    private final List<Cidr> allowedRanges;
    private final Resolver resolver;

    private SsrfGuard(boolean enabled, List<String> allowedHosts, List<String> allowedDomains,
                      List<Cidr> allowedRanges, Resolver resolver) {
        this.enabled = enabled;
        this.allowedHosts = List.copyOf(allowedHosts);
        this.allowedDomains = List.copyOf(allowedDomains);
        this.allowedRanges = List.copyOf(allowedRanges);
        this.resolver = resolver;
    }

    /**
     * A guard with an allow-list.
     *
     * @throws IllegalArgumentException naming an entry that is neither a host name nor an address range
     */
    public static SsrfGuard withAllowList(List<String> allowList) {
        return withAllowList(allowList, InetAddress::getAllByName);
    }

    /** A guard with an allow-list and another resolver. */
    public static SsrfGuard withAllowList(List<String> allowList, Resolver resolver) {
        List<String> hosts = new ArrayList<>();
        List<String> domains = new ArrayList<>();
        List<Cidr> ranges = new ArrayList<>();
        for (String raw : allowList) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.contains("/") || Cidr.literal(entry).isPresent()) {
                ranges.add(Cidr.parse(entry));
            } else if (entry.startsWith("*.") && isHostName(entry.substring(2))) {
                domains.add(entry.substring(1));
            } else if (isHostName(entry)) {
                hosts.add(entry);
            } else {
                throw new IllegalArgumentException("SSRF allow-list entry is neither a host name, an IP address "
                        + "nor a CIDR range: " + raw);
            }
        }
        return new SsrfGuard(true, hosts, domains, ranges, resolver);
    }

    /** A guard that allows everything (for trusted deployments only). */
    public static SsrfGuard disabled() {
        return new SsrfGuard(false, List.of(), List.of(), List.of(), InetAddress::getAllByName);
    }

    /** Whether checks are on. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Resolves the sink's host and checks every address (when the subscription is created or changed).
     *
     * @throws SinkRefusedException naming the address and why it is refused, or that the host does not resolve
     */
    public void check(URI sink) throws SinkRefusedException {
        if (!enabled) {
            return;
        }
        String bare = bare(sink.getHost());
        if (!hostAllowed(bare.toLowerCase(Locale.ROOT))) {
            checked(bare, lookup(bare));
        }
    }

    /**
     * Resolves a host once and checks every address: the addresses returned are exactly those checked,
     * and a connection must be made to one of them and nothing else, or a DNS answer changing between
     * the check and the connection (rebinding) would reach an address never checked. Used by the webhook
     * client for every new connection ({@link GuardedAddressResolver}).
     *
     * @throws SinkRefusedException naming the address and why it is refused, or that the host does not resolve
     */
    public List<InetAddress> resolve(String host) throws SinkRefusedException {
        String bare = bare(host);
        InetAddress[] addresses = lookup(bare);
        return enabled && !hostAllowed(bare.toLowerCase(Locale.ROOT)) ? checked(bare, addresses)
                : List.of(addresses);
    }

    private static String bare(String host) throws SinkRefusedException {
        if (host == null || host.isEmpty()) {
            throw new SinkRefusedException("the URL has no host");
        }
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private InetAddress[] lookup(String bare) throws SinkRefusedException {
        InetAddress[] addresses;
        Optional<InetAddress> literal = Cidr.literal(bare);
        if (literal.isPresent()) {
            addresses = new InetAddress[] {literal.get()};
        } else if (NUMERIC.matcher(bare).matches()) {
            // Short and decimal IPv4 forms (127.1, 2130706433): parsed the way an HTTP client parses them.
            try {
                addresses = InetAddress.getAllByName(bare);
            } catch (UnknownHostException e) {
                throw new SinkRefusedException("the host " + bare + " is neither an IP address nor a name");
            }
        } else {
            try {
                addresses = resolver.resolve(bare);
            } catch (UnknownHostException e) {
                throw new SinkRefusedException("the host " + bare + " does not resolve");
            }
        }
        if (addresses == null || addresses.length == 0) {
            throw new SinkRefusedException("the host " + bare + " does not resolve");
        }
        return addresses;
    }

    private List<InetAddress> checked(String bare, InetAddress[] addresses) throws SinkRefusedException {
        boolean literal = Cidr.literal(bare).isPresent();
        for (InetAddress address : addresses) {
            Optional<String> reason = refusal(address);
            if (reason.isPresent() && allowedRanges.stream().noneMatch(range -> range.contains(address))) {
                String shown = literal ? address.getHostAddress() : bare + " resolves to " + address.getHostAddress();
                throw new SinkRefusedException(shown + ", " + reason.get()
                        + "; webhooks may not target it unless the server's SSRF allow-list names the host or range");
            }
        }
        return List.of(addresses);
    }

    private boolean hostAllowed(String name) {
        return allowedHosts.contains(name) || allowedDomains.stream().anyMatch(name::endsWith);
    }

    /** Why an address is not a public unicast address, if it is not. */
    public static Optional<String> refusal(InetAddress address) {
        if (address instanceof Inet4Address) {
            return refusal4(address.getAddress());
        }
        if (address instanceof Inet6Address) {
            return refusal6(address.getAddress());
        }
        return Optional.of("an address of an unknown family");
    }

    private static Optional<String> refusal4(byte[] a) {
        int b0 = a[0] & 0xFF;
        int b1 = a[1] & 0xFF;
        int b2 = a[2] & 0xFF;
        if (b0 == 0) {
            return Optional.of("an unspecified / \"this network\" address (0.0.0.0/8)");
        }
        if (b0 == 127) {
            return Optional.of("a loopback address (127.0.0.0/8)");
        }
        if (b0 == 10 || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168)) {
            return Optional.of("a private address (RFC 1918)");
        }
        if (b0 == 100 && b1 >= 64 && b1 <= 127) {
            return Optional.of("a shared CGNAT address (100.64.0.0/10)");
        }
        if (b0 == 169 && b1 == 254) {
            return Optional.of("a link-local address (169.254.0.0/16, incl. cloud metadata 169.254.169.254)");
        }
        if (b0 == 192 && b1 == 0 && b2 == 0) {
            return Optional.of("an IETF protocol assignment (192.0.0.0/24)");
        }
        if (b0 == 198 && (b1 == 18 || b1 == 19)) {
            return Optional.of("a benchmarking address (198.18.0.0/15)");
        }
        if (b0 >= 224 && b0 <= 239) {
            return Optional.of("a multicast address (224.0.0.0/4)");
        }
        if (b0 >= 240) {
            return Optional.of("a reserved or broadcast address (240.0.0.0/4)");
        }
        return Optional.empty();
    }

    private static Optional<String> refusal6(byte[] a) {
        boolean firstTwelveZero = allZero(a, 0, 12);
        if (firstTwelveZero && allZero(a, 12, 16)) {
            return Optional.of("the unspecified address (::)");
        }
        if (firstTwelveZero && allZero(a, 12, 15) && a[15] == 1) {
            return Optional.of("a loopback address (::1)");
        }
        if (firstTwelveZero) {
            return embedded(a, 12, "an IPv4-compatible IPv6 address (::/96)");
        }
        if (allZero(a, 0, 10) && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            return embedded(a, 12, "an IPv4-mapped address (::ffff:0:0/96)");
        }
        if ((a[0] & 0xFF) == 0x00 && (a[1] & 0xFF) == 0x64 && (a[2] & 0xFF) == 0xFF && (a[3] & 0xFF) == 0x9B
                && allZero(a, 4, 12)) {
            return embedded(a, 12, "a NAT64 address (64:ff9b::/96)");
        }
        if ((a[0] & 0xFF) == 0x20 && (a[1] & 0xFF) == 0x02) {
            return embedded(a, 2, "a 6to4 address (2002::/16)");
        }
        if ((a[0] & 0xFE) == 0xFC) {
            return Optional.of("a unique local (private) address (fc00::/7)");
        }
        if ((a[0] & 0xFF) == 0xFE && (a[1] & 0xC0) == 0x80) {
            return Optional.of("a link-local address (fe80::/10)");
        }
        if ((a[0] & 0xFF) == 0xFE && (a[1] & 0xC0) == 0xC0) {
            return Optional.of("a site-local address (fec0::/10)");
        }
        if ((a[0] & 0xFF) == 0xFF) {
            return Optional.of("a multicast address (ff00::/8)");
        }
        if ((a[0] & 0xFF) == 0x01 && a[1] == 0 && allZero(a, 2, 8)) {
            return Optional.of("a discard-only address (100::/64)");
        }
        return Optional.empty();
    }

    /** Checks the IPv4 address embedded at {@code offset}; refused when it is. */
    private static Optional<String> embedded(byte[] a, int offset, String form) {
        byte[] v4 = Arrays.copyOfRange(a, offset, offset + 4);
        return refusal4(v4).map(reason -> form + " embedding " + (v4[0] & 0xFF) + "." + (v4[1] & 0xFF) + "."
                + (v4[2] & 0xFF) + "." + (v4[3] & 0xFF) + ", " + reason);
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHostName(String text) {
        return text.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    }
}
