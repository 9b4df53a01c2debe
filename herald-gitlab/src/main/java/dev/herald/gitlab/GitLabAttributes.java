package dev.herald.gitlab;

/** The extension attributes the GitLab integration adds to Herald's (CloudEvents naming: lowercase). */
public final class GitLabAttributes {

    /**
     * The full path of the project or group an event belongs to ({@code gitlab-org/security/scanner}).
     * A group's audit destination receives the events of the group and of every path under it.
     */
    public static final String NAMESPACE = "namespace";
    /** What happened to the object, where the CloudEvents GitLab adapter puts it in the type: a status, state or action. */
    public static final String ACTION = "action";
    /** The GitLab organization of a GitLab CloudEvent ({@code gid://gitlab/Organizations::Organization/1}). */
    public static final String ORGANIZATION = "organization";
    /** The audit event's own type ({@code user_created}), for destination filters. */
    public static final String AUDIT_EVENT_TYPE = "auditeventtype";

    private GitLabAttributes() {
    }
}
