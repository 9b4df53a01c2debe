/**
 * The small application README-testing.md tests: CI announces finished pipelines, security scans the
 * green ones. Its code appears in the README verbatim ({@code ReadmeSnippetsTest} checks that).
 */
package dev.herald.test.readme.app;
