/**
 * GitLab-lite: a small product whose domains never call each other. A push to a repository
 * ({@code repository}) makes CI run a pipeline ({@code ci}); a finished pipeline makes the security
 * scanner look at the tested commits ({@code security}) and the merge-request bot approve the
 * branch's merge request ({@code mergerequests}); findings and approvals reach people
 * ({@code notifications}); an audit trail sees everything ({@code audit}). Every arrow between
 * domains is an event on Herald's {@link dev.herald.store.EventStore}.
 */
package dev.herald.example;
