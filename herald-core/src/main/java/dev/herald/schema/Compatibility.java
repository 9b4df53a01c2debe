package dev.herald.schema;

/**
 * How a new schema version must relate to the version before it, in the sense of Confluent Schema
 * Registry: each mode says who must be able to read what.
 */
public enum Compatibility {

    /** Consumers using the new version can read data written with the old one (the new version is the reader). */
    BACKWARD,

    /** Consumers using the old version can read data written with the new one (the old version is the reader). */
    FORWARD,

    /** Both {@link #BACKWARD} and {@link #FORWARD}: producers and consumers can upgrade in any order. */
    FULL,

    /** No check: any schema may follow. */
    NONE
}
