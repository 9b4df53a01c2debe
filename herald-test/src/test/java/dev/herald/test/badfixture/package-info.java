/**
 * A deliberately bad application, for the tests that show each ArchUnit rule fails and names the
 * offending class. Nothing here runs; every class breaks one rule on purpose, and says which.
 *
 * <p>Two domains, {@code billing} and {@code shipping}, plus a miniature Herald under {@code layering}.
 */
package dev.herald.test.badfixture;
