from django.contrib import admin
from django.utils.translation import ngettext

from questions import services
from questions.models import Comment, CommentFlag
from smrsite.admin_fields import NamedTabularInline


class CommentFlagInline(NamedTabularInline):
    model = CommentFlag
    extra = 0
    fields = ["member", "reason", "created_at", "resolved_at"]
    readonly_fields = ["member", "reason", "created_at"]
    raw_id_fields = ["member"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
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

    # Deleting here goes through the same service as on the page: a comment with replies
    # stays as a "removed" placeholder and its replies stay, where Django's own delete
    # would cascade through the whole subthread.
    def delete_model(self, request, obj):
        services.comment_delete(comment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        # Replies first, so a question picked with all its replies goes too; each is read
        # afresh, as deleting one may have deleted the placeholder above it.
        for pk in queryset.order_by("-depth", "-created_at").values_list("pk", flat=True):
            comment = Comment.objects.filter(pk=pk).first()
            if comment is not None:
                services.comment_delete(comment=comment, by=request.user)

    def get_deleted_objects(self, objs, request):
        """What the confirmation page lists: the comments themselves, never their replies."""
        comments = list(objs)
        listed = [
            f"{comment} (stays as “This comment was removed.” above its replies)"
            if comment.replies.exists()
            else str(comment)
            for comment in comments
        ]
        return listed, {Comment._meta.verbose_name_plural: len(comments)}, set(), []

    @admin.display(boolean=True)
    def answered(self, obj: Comment) -> bool | None:
        return obj.answer_id is not None if obj.is_question else None

    @admin.action(description="Approve the selected comments")
    def approve(self, request, queryset):
        for comment in queryset:
            services.comment_approve(comment=comment, by=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Approved %(count)d comment.", "Approved %(count)d comments.", count)
            % {"count": count},
        )

    @admin.action(description="Hide the selected comments from readers")
    def hide(self, request, queryset):
        for comment in queryset:
            services.comment_hide(comment=comment, by=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Hid %(count)d comment.", "Hid %(count)d comments.", count) % {"count": count},
        )
