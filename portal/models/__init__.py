"""Typed SQLAlchemy 2 models for the whole domain, split by area of concern."""
from portal.models.audit import AuditChain, AuditEvent, Job, RetentionDecision
from portal.models.base import (
    ACCESS_ROUTES, CHANNELS, CLOSED_PLATFORMS, DIRECTIONS, DISMISS_REASONS, GUIDANCE_CATEGORIES,
    OUTCOMES, PLATFORMS, POLICE_WELCOME, PURPOSES, ROLE_LABELS, ROLES, SEVERITIES, STAGE_BRANCHES,
    STAGE_LABELS, STAGE_PATH, STAGES, label, utcnow,
)
from portal.models.communities import ActivitySample, AreaTag, Community, CommunityTag, Feed
from portal.models.discovery import Candidate, CrawlRun
from portal.models.guidance import (
    GuidanceFlagMark, GuidancePage, GuidanceRule, GuidanceRuleRevision, GuidanceRuleSet, MessageReview, MessageTemplate,
    SupportFlag, SupportNote,
)
from portal.models.outreach import (
    Assessment, ContactRevision, Meeting, OutreachContact, StageChange, Task, meeting_promotions,
)
from portal.models.notices import NOTICE_KINDS, NOTICE_STATUSES, REQUIRED_KINDS, NoticeOptOut, Notification
from portal.models.people import Area, SignInThrottle, SsoGroupMapping, User, UserSession, user_areas
from portal.models.research import (
    PROJECT_LEVELS, TRACKED_ATTRIBUTES, CommunityRevision, ResearchProject, ResearchRelease, research_project_members,
)
from portal.models.tallies import StageTally
from portal.models import indexes  # noqa: E402,F401  (indexes for scale, on the tables above)

__all__ = [
    "ACCESS_ROUTES", "CHANNELS", "CLOSED_PLATFORMS", "DIRECTIONS", "DISMISS_REASONS",
    "GUIDANCE_CATEGORIES", "OUTCOMES", "PLATFORMS", "POLICE_WELCOME", "PURPOSES", "ROLE_LABELS",
    "ROLES", "SEVERITIES", "STAGE_BRANCHES", "STAGE_LABELS", "STAGE_PATH", "STAGES",
    "PROJECT_LEVELS", "TRACKED_ATTRIBUTES", "NOTICE_KINDS", "NOTICE_STATUSES", "REQUIRED_KINDS",
    "ActivitySample", "Area", "AreaTag", "Assessment", "AuditChain", "AuditEvent", "Candidate", "Community",
    "CommunityRevision", "CommunityTag", "ContactRevision", "CrawlRun", "Feed", "GuidanceFlagMark", "GuidancePage",
    "GuidanceRule", "GuidanceRuleRevision", "GuidanceRuleSet", "Job", "Meeting", "MessageReview", "MessageTemplate", "NoticeOptOut", "Notification",
    "OutreachContact", "ResearchProject", "ResearchRelease", "RetentionDecision", "SignInThrottle", "SsoGroupMapping", "StageChange", "StageTally",
    "SupportFlag",
    "SupportNote", "Task", "User", "UserSession", "label", "meeting_promotions", "research_project_members",
    "user_areas", "utcnow",
]
