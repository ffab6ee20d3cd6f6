"""Reference data every installation starts with: the two parties of the first agreement,
Stockholm's 13 districts (stadsdelsområden since 2020) and the target group of IOP 2.1.

Takes an app registry so that the data migration can run it with historical models.
All of it is editable afterwards in the admin.
"""

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
