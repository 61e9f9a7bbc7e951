from django.contrib import admin

from questions import services
from questions.models import Comment, CommentFlag
from smrsite.pagecache import InvalidatesPageCacheAdmin


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    fields = ["member", "reason", "created_at", "resolved_at"]
    readonly_fields = ["member", "reason", "created_at"]
    raw_id_fields = ["member"]


@admin.register(Comment)
class CommentAdmin(InvalidatesPageCacheAdmin, admin.ModelAdmin):
    """The moderation queue: filter by status (pending first), approve or hide in bulk."""

    list_display = ["__str__", "technique", "author", "kind", "status", "created_at", "answered"]
    list_filter = ["status", "kind", "technique"]
    list_select_related = ["technique", "author"]
    search_fields = ["body", "author__username", "author__profile__display_name"]
    raw_id_fields = ["author", "parent", "root", "answer"]
    readonly_fields = ["depth", "created_at", "edited_at", "answered_at"]
    date_hierarchy = "created_at"
    actions = ["approve", "hide"]
    inlines = [CommentFlagInline]

    @admin.display(boolean=True)
    def answered(self, obj: Comment) -> bool | None:
        return obj.answer_id is not None if obj.is_question else None

    @admin.action(description="Approve the selected comments")
    def approve(self, request, queryset):
        for comment in queryset:
            services.comment_approve(comment=comment, by=request.user)
        self.message_user(request, f"Approved {len(queryset)} comment(s).")

    @admin.action(description="Hide the selected comments from readers")
    def hide(self, request, queryset):
        for comment in queryset:
            services.comment_hide(comment=comment, by=request.user)
        self.message_user(request, f"Hid {len(queryset)} comment(s).")
