"""The standard texts the migrations ship, in the product's own Danish wording.

Frozen here: a migration must write the same text on every machine, whatever the app's code says later.
"""

SECTIONS_V1 = [
    {
        "key": "purpose",
        "heading": "Formål",
        "body": (
            "Bostøtten skal hjælpe borgeren fra et ophold på forsorgshjem til en stabil tilværelse i egen bolig. "
            "Den er til borgere, der har været hjemløse og som ud over en bolig har brug for social støtte, fordi de "
            "for eksempel har en psykisk lidelse, et misbrug eller andre sociale vanskeligheder.\n\n"
            "Støtten tilrettelægges sammen med borgeren og tager afsæt i det, borgeren selv oplever at have brug for. "
            "Den bygger på den handleplan, kommunen har udarbejdet efter servicelovens § 141 eller § 142, og kan "
            "kombineres med beskæftigelse hos leverandøren, når det indgår i planen."
        ),
    },
    {
        "key": "cti",
        "heading": "CTI – Critical Time Intervention",
        "body": (
            "CTI er en tidsafgrænset og intensiv støtte i overgangen til egen bolig. Forløbet varer op til 9 måneder "
            "og består af en kontaktperiode efterfulgt af tre faser:\n\n"
            "- Kontaktperiode: borger og medarbejder lærer hinanden at kende, og den første plan lægges.\n"
            "- Fase 1: indflytning, indretning af boligen og kortlægning af behov og ønsker.\n"
            "- Fase 2: hverdagen skal fungere, og opgaverne overgår gradvist til borgeren og netværket.\n"
            "- Fase 3: støtten trappes ned, og de langsigtede behov sikres, inden forløbet afsluttes.\n\n"
            "Medarbejderen er borgerens case manager gennem hele forløbet. Af hensyn til metodens kvalitet har en "
            "CTI-medarbejder højst 12 borgere ad gangen. Indsatsen understøtter bostøtte efter servicelovens § 85 a."
        ),
    },
    {
        "key": "icm",
        "heading": "ICM – Intensive Case Management",
        "body": (
            "ICM er en helhedsorienteret støtte, der fortsætter så længe borgeren har behov for den. Der følges op "
            "med faste mellemrum, og indsatsen justeres efter, hvordan det går.\n\n"
            "Målet er både at borgeren bevarer sin bolig og at livet bliver lettere på de områder, der betyder noget "
            "for borgeren: økonomi, helbred, netværk, aktiviteter og kontakt til myndigheder. Borgeren tager "
            "efterhånden flere opgaver selv, og der bygges et netværk op omkring borgeren.\n\n"
            "En ICM-medarbejder har højst 8 borgere ad gangen. Indsatsen understøtter bostøtte efter "
            "servicelovens § 85 a."
        ),
    },
    {
        "key": "frame",
        "heading": "Rammer for støtten",
        "body": (
            "Inden for aftalen kan borgeren få:\n\n"
            "- rådgivning og vejledning samt hjælp til kontakten med kommunen og andre myndigheder\n"
            "- samtaler i eget hjem eller på forsorgshjemmet, med vægt på tryghed og relation\n"
            "- telefonisk kontakt til personalet alle ugens dage kl. 8–21\n"
            "- socialpædagogisk støtte til hverdagens gøremål kl. 10–20\n"
            "- støtte til at komme i beskæftigelse eller uddannelse\n"
            "- støtte til at begynde eller fastholde misbrugsbehandling\n"
            "- hjælp til at opbygge et netværk i lokalområdet\n\n"
            "Borgere, der arbejder i leverandørens værksteder efter servicelovens § 103, får arbejdsdusør for de "
            "timer, de har arbejdet. Dusøren er skattepligtig, og der betales AM-bidrag af den."
        ),
    },
    {
        "key": "continuity",
        "heading": "Kendte medarbejdere",
        "body": (
            "Så vidt muligt fortsætter de medarbejdere, borgeren har kendt under opholdet på forsorgshjemmet, "
            "med støtten efter udflytningen. Det giver tryghed og gør, at viden om borgeren ikke går tabt."
        ),
    },
    {
        "key": "return",
        "heading": "Midlertidig tilbageflytning",
        "body": (
            "Opstår der en krise, så borgeren i en periode ikke kan bo i boligen, for eksempel på grund af et "
            "massivt misbrug, kan borgeren flytte midlertidigt tilbage til forsorgshjemmet for at blive stabiliseret. "
            "Det aftales i hvert enkelt tilfælde med kommunen, og opholdet afregnes efter forsorgshjemmets takst."
        ),
    },
    {
        "key": "ending",
        "heading": "Ophør",
        "body": (
            "Indsatsen kan ophøre, når:\n\n"
            "- de aftalte mål for støtten er nået\n"
            "- borgerens behov for støtte har ændret sig markant\n"
            "- borgeren ikke længere ønsker støtten\n"
            "- borgeren er flyttet fra boligen\n"
            "- der har været vold eller trusler om vold"
        ),
    },
]


SECTIONS_V2 = [
    {
        "key": "purpose",
        "heading": "Formål",
        "body": (
            "Bostøtten skal hjælpe borgeren fra et ophold på forsorgshjem til en stabil tilværelse i egen bolig. "
            "Den er til borgere, der har været hjemløse og som ud over en bolig har brug for social støtte, fordi de "
            "for eksempel har en psykisk lidelse, et misbrug eller andre sociale vanskeligheder.\n\n"
            "Støtten tilrettelægges sammen med borgeren og tager afsæt i det, borgeren selv oplever at have brug for, "
            "og i borgerens egne drømme, ønsker og håb for fremtiden. Den bygger på den handleplan, kommunen har "
            "udarbejdet efter servicelovens § 141 eller § 142, og kan kombineres med beskæftigelse hos leverandøren, "
            "når det indgår i planen."
        ),
    },
    {
        "key": "cti",
        "heading": "CTI – Critical Time Intervention",
        "body": (
            "CTI er en tidsafgrænset og intensiv støtte i overgangen til egen bolig. Forløbet varer op til 9 måneder "
            "og består af en kontaktperiode efterfulgt af tre faser af samme længde, hver med sit eget fokus:\n\n"
            "- Kontaktperiode: borger og medarbejder lærer hinanden at kende, og den første plan lægges.\n"
            "- Fase 1: indflytning, indretning af boligen og kortlægning af behov og ønsker.\n"
            "- Fase 2: hverdagen skal fungere, og opgaverne overgår gradvist til borgeren og netværket.\n"
            "- Fase 3: støtten trappes ned, og de langsigtede behov sikres, inden forløbet afsluttes.\n\n"
            "Arbejdet er recovery-orienteret: det bygger på borgerens egne ressourcer og styrker borgerens evne til "
            "selv at tage styringen (empowerment). Medarbejderen er borgerens case manager gennem hele forløbet. Af "
            "hensyn til metodens kvalitet har en CTI-medarbejder højst 12 borgere ad gangen. Indsatsen understøtter "
            "bostøtte efter servicelovens § 85 a."
        ),
    },
    {
        "key": "icm",
        "heading": "ICM – Intensive Case Management",
        "body": (
            "ICM er en helhedsorienteret støtte, der fortsætter så længe borgeren har behov for den. Der følges op "
            "med faste mellemrum, og indsatsen justeres efter, hvordan det går.\n\n"
            "Målet er både at borgeren bevarer sin bolig og at livet bliver lettere på de områder, der betyder noget "
            "for borgeren: økonomi, helbred, netværk, aktiviteter og kontakt til myndigheder. Også her er arbejdet "
            "recovery-orienteret og tager afsæt i borgerens egne ønsker; borgeren tager efterhånden flere opgaver "
            "selv, og der bygges et netværk op omkring borgeren.\n\n"
            "En ICM-medarbejder har højst 8 borgere ad gangen. Indsatsen understøtter bostøtte efter "
            "servicelovens § 85 a."
        ),
    },
    {
        "key": "act",
        "heading": "ACT – Assertive Community Treatment",
        "body": (
            "Får borgeren hjælp mange steder fra, for eksempel behandling, psykiatri og jobcenter, kan støtten gives "
            "som ACT. Et tværfagligt team koordinerer da indsatserne, så borgeren har ét sted at henvende sig og "
            "bevarer overblikket. ACT fortsætter så længe, borgeren har behov for det, og teamet har et fast loft "
            "over, hvor mange borgere det følger ad gangen."
        ),
    },
    {
        "key": "frame",
        "heading": "Rammer for støtten",
        "body": (
            "Inden for aftalen kan borgeren få:\n\n"
            "- rådgivning og vejledning samt hjælp til kontakten med kommunen og andre myndigheder\n"
            "- samtaler i eget hjem eller på forsorgshjemmet, med vægt på tryghed og relation\n"
            "- telefonisk kontakt til personalet alle ugens dage kl. 8–21\n"
            "- socialpædagogisk støtte til hverdagens gøremål kl. 10–20\n"
            "- støtte til at komme i beskæftigelse eller uddannelse\n"
            "- støtte til at begynde eller fastholde misbrugsbehandling\n"
            "- hjælp til at opbygge et netværk i lokalområdet\n\n"
            "Borgere, der arbejder i leverandørens værksteder efter servicelovens § 103, får arbejdsdusør for de "
            "timer, de har arbejdet. Satsen fastsættes for et år ad gangen (i 2024: 30 kr. i timen). Dusøren er "
            "skattepligtig, og der betales AM-bidrag af den."
        ),
    },
    *(section for section in SECTIONS_V1 if section["key"] in ("continuity", "return", "ending")),
]
