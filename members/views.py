from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from members import services
from members.forms import ProfileForm

PROFILE_SAVED = "Your settings are saved."


@login_required
def profile_edit(request):
    """The signed-in member's name, time zone and email choices."""
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.instance.time_zone_chosen = True  # whatever zone it showed, they kept it
        form.save()
        messages.success(request, PROFILE_SAVED)
        return redirect("members:profile")
    return render(request, "members/profile_form.html", {"form": form})
