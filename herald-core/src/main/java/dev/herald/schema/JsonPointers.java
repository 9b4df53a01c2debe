package dev.herald.schema;

/** JSON pointer (RFC 6901) helpers. */
final class JsonPointers {

    private JsonPointers() {
    }

    /** Escapes one reference token: {@code ~} becomes {@code ~0} and {@code /} becomes {@code ~1}. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** {@code parent} followed by the escaped {@code token}. */
    static String append(String parent, String token) {
        return parent + "/" + escape(token);
    }
}
