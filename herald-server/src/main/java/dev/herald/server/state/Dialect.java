package dev.herald.server.state;

/** What differs between the SQL of the state databases; everything else is written once. */
public enum Dialect {
    SQLITE("BLOB", " WITHOUT ROWID"),
    POSTGRES("BYTEA", "");

    private final String bytes;
    private final String keyedTableSuffix;

    Dialect(String bytes, String keyedTableSuffix) {
        this.bytes = bytes;
        this.keyedTableSuffix = keyedTableSuffix;
    }

    /** The column type of a byte string. */
    public String bytes() {
        return bytes;
    }

    /** What follows the closing parenthesis of a table looked up by its primary key only. */
    public String keyedTableSuffix() {
        return keyedTableSuffix;
    }
}
