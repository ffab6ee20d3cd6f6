"""Reference data every installation starts with: the two parties of the first agreement,
Stockholm's 13 districts (stadsdelsområden since 2020) and the target group of IOP 2.1.

Takes an app registry so that the data migration can run it with historical models.
All of it is editable afterwards in the admin.
"""

from django.db.models import Q

CITY = "Socialförvaltningen, Stockholms stad"
# The agreement of the seed document (IOP 2017–2018) and its yearly budget in kronor (IOP 4.1:
# 711 833 kr in all). Installed as data by partnership migration 0009; offered when a coordinator
# sets up a new agreement.
AGREEMENT_NAME = "Stödgrupper för barn placerade i familjehem"
BUDGET_LINES_KR = [("Personal", 678_833), ("Material", 8_000), ("Mat och dryck", 15_000), ("Resekostnader", 10_000)]
PROVIDER = "Barnens rätt i samhället"
DISTRICTS = [
    "Bromma",
    "Enskede-Årsta-Vantör",
    "Farsta",
    "Hägersten-Älvsjö",
    "Hässelby-Vällingby",
    "Kungsholmen",
    "Norrmalm",
    "Rinkeby-Kista",
    "Skarpnäck",
    "Skärholmen",
    "Spånga-Tensta",
    "Södermalm",
    "Östermalm",
]


def seed_reference_data(apps) -> None:
    Organisation = apps.get_model("partnership", "Organisation")
    District = apps.get_model("partnership", "District")
    TargetGroup = apps.get_model("partnership", "TargetGroup")
    city, _ = Organisation.objects.get_or_create(
        name=CITY, defaults={"short_name": "Socialförvaltningen", "kind": "public"}
    )
    Organisation.objects.get_or_create(name=PROVIDER, defaults={"short_name": "Bris", "kind": "nonprofit"})
    for name in DISTRICTS:
        District.objects.get_or_create(municipality=city, name=name)
    TargetGroup.objects.get_or_create(
        name="Familjehemsplacerade barn",
        defaults={
            "min_age": 7,
            "max_age": 18,
            "description": "Barn som är familjehemsplacerade av Stockholms stad i åldrarna 7–18 år.",
        },
    )
    # After migration 0009 (a database emptied by `flush` is refilled from here): the coordination's
    # target groups and the organisation types too.
    if any(field.name == "code" for field in TargetGroup._meta.get_fields()):
        seed_target_groups_and_organisation_types(apps)


# The target groups of the city's coordination of group support (issue 15); the first one is IOP 2.1's.
TARGET_GROUPS = [
    # code, Swedish name, English name, min age, max age
    ("foster_care", "Familjehemsplacerade barn", "Children in foster care", 7, 18),
    (
        "parental_substance_misuse",
        "Barn till föräldrar med missbruk",
        "Children of parents with substance misuse",
        4,
        18,
    ),
    (
        "parental_mental_illness",
        "Barn till föräldrar med psykisk ohälsa",
        "Children of parents with mental illness",
        4,
        18,
    ),
    ("violence_in_family", "Barn som upplevt våld i familjen", "Children who have experienced violence at home", 4, 18),
]


def seed_target_groups_and_organisation_types(apps) -> None:
    """Give every target group a code (the existing foster-care one keeps its row) and add the
    coordination's target groups; mark the city's administration as such."""
    TargetGroup = apps.get_model("partnership", "TargetGroup")
    Organisation = apps.get_model("partnership", "Organisation")
    for code, name, name_en, min_age, max_age in TARGET_GROUPS:
        TargetGroup.objects.update_or_create(
            name=name,
            defaults={"code": code, "name_en": name_en},
            create_defaults={"code": code, "name_en": name_en, "min_age": min_age, "max_age": max_age},
        )
    for target_group in TargetGroup.objects.filter(Q(code__isnull=True) | Q(code="")):
        target_group.code = f"target-group-{target_group.pk}"
        target_group.save(update_fields=["code"])
    Organisation.objects.filter(kind="public").update(organisation_type="city")
