"""Feeds of the public page for other sites: iCalendar per group, and a JSON feed in the shape of
the Open Referral Human Services Data Specification (HSDS 3.0: organizations, services,
locations, service_at_locations, schedules), paged as HSDS' API pages are.

Built from the same published groups as the public page and holding as little: the provider's own
public contacts, never a person's name, phone or identity, nor a count of anyone.
"""

import uuid

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import get_language
from icalendar import Calendar, Event

from groups.models import Meeting

from .public import cached, public_row, published_groups

HSDS_VERSION = "3.0"
HSDS_PAGE_SIZE = 50
# Stable ids for the feed's records that have no UUID of their own (organisations, premises).
NAMESPACE = uuid.UUID("6f1c8a52-1b0e-4b43-9d1f-3c6f5a0e2b17")


def _id(kind: str, pk) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def _meetings(group_ids: list[int]) -> dict[int, list[Meeting]]:
    by_group: dict[int, list[Meeting]] = {group_id: [] for group_id in group_ids}
    for meeting in Meeting.objects.filter(group_id__in=group_ids).order_by("starts_at"):
        by_group[meeting.group_id].append(meeting)
    return by_group


def hsds_page(*, page: int, base_url: str) -> dict:
    def build():
        language = get_language() or "sv"
        paginator = Paginator(published_groups(), HSDS_PAGE_SIZE)
        current = paginator.get_page(page)
        groups = list(current.object_list)
        meetings = _meetings([group.pk for group in groups])
        organizations, locations, services, links, schedules = {}, {}, [], [], []
        for group in groups:
            row = public_row(group, language=language)
            provider = group.agreement.provider
            organization_id = _id("organisation", provider.pk)
            organizations[organization_id] = {
                "id": organization_id,
                "name": provider.name,
                "alternate_name": provider.short_name,
                "description": provider.public_description,
                "website": provider.website,
                "email": provider.public_email,
                "phones": [{"number": provider.public_phone}] if provider.public_phone else [],
            }
            service_id = str(group.public_id)
            services.append(
                {
                    "id": service_id,
                    "organization_id": organization_id,
                    "name": group.name,
                    "description": row.description,
                    "url": f"{base_url}#grupp-{service_id}",
                    "status": "active",
                    "eligibility_description": f"{row.target_group}, {row.min_age}–{row.max_age} år",
                    "minimum_age": row.min_age,
                    "maximum_age": row.max_age,
                    "application_process": " ".join(filter(None, [row.who_can_register, row.how_to_join])),
                    "fees_description": "",
                    "attending_type": row.audience_label,
                    "x_target_group": row.target_group_code,
                    "x_audience": row.audience,
                    "x_format": row.format,
                    "x_term": row.term,
                    "x_area": row.district,
                    "x_availability": row.availability,
                    "x_availability_label": row.availability_label,
                }
            )
            if group.premises_id:
                location_id = _id("premises", group.premises_id)
                locations[location_id] = {
                    "id": location_id,
                    "location_type": "physical",
                    "name": group.premises.name,
                    "addresses": [{"address_1": group.premises.address, "city": "Stockholm", "country": "SE"}]
                    if group.premises.address
                    else [],
                }
                links.append(
                    {"id": _id("service_at_location", group.pk), "service_id": service_id, "location_id": location_id}
                )
            for meeting in meetings[group.pk]:
                starts = timezone.localtime(meeting.starts_at)
                ends = timezone.localtime(meeting.ends_at)
                schedules.append(
                    {
                        "id": _id("meeting", meeting.pk),
                        "service_id": service_id,
                        "valid_from": starts.date().isoformat(),
                        "valid_to": ends.date().isoformat(),
                        "dtstart": starts.isoformat(),
                        "opens_at": starts.time().isoformat(timespec="minutes"),
                        "closes_at": ends.time().isoformat(timespec="minutes"),
                        "timezone": str(timezone.get_current_timezone()),
                    }
                )
        return {
            "hsds_version": HSDS_VERSION,
            "total_items": paginator.count,
            "total_pages": paginator.num_pages,
            "page_number": current.number,
            "size": HSDS_PAGE_SIZE,
            "first_page": current.number == 1,
            "last_page": not current.has_next(),
            "organizations": list(organizations.values()),
            "services": services,
            "locations": list(locations.values()),
            "service_at_locations": links,
            "schedules": schedules,
        }

    return cached("hsds", build, page=page, base=base_url)


def group_ical(public_id) -> bytes | None:
    """One published group's meetings as iCalendar, or None if the public may not see it."""

    def build():
        group = published_groups().filter(public_id=public_id).first()
        if group is None:
            return b""
        feed = Calendar()
        feed.add("prodid", "-//Gruppstöd//stödgrupper//SV")
        feed.add("version", "2.0")
        feed.add("x-wr-calname", group.name)
        place = ", ".join(filter(None, [group.premises.name, group.premises.address])) if group.premises_id else ""
        for meeting in group.meetings.order_by("starts_at"):
            event = Event()
            event.add("uid", f"public-meeting-{_id('meeting', meeting.pk)}@gruppstod")
            event.add("dtstamp", meeting.updated_at)
            event.add("dtstart", meeting.starts_at)
            event.add("dtend", meeting.ends_at)
            event.add("summary", f"{group.name} ({group.agreement.provider.name})")
            if place:
                event.add("location", place)
            feed.add_component(event)
        return feed.to_ical()

    body = cached("ical", build, group=str(public_id))
    return body or None
